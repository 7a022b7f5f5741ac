using Rft;

namespace Rft.ScaleBench;

/// <summary>An addition problem: the bench measures memory and time of realistic steps, not learning.</summary>
public sealed record Sum(int A, int B)
{
    public int Answer => A + B;
}

/// <summary>
/// The pipeline both scale benches train: GRPO with a k3 KL to a frozen reference (so the old-policy, reference and
/// training forwards all run), rank-16 LoRA available at run time. Every shape is an option the bench sets.
/// </summary>
[Pipeline]
[Policy(Preset = "small")]
[Grpo(GroupSize = 8, PromptsPerStep = 1)]
[KlPenalty(0.04, Estimator = KlEstimator.K3)]
[Training(Steps = 3, LearningRate = 1e-5, WarmupSteps = 0, Seed = 31, LogEvery = 1)]
[Rollout(MaxNewTokens = 32, MaxPromptTokens = 12, Temperature = 1.0)]
[Lora(Enabled = false, Rank = 16, Alpha = 32, Targets = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj")]
public partial class ScalePipeline
{
    [Source] public static IEnumerable<Sum> Sums(Random rng)
    {
        while (true) yield return new Sum(rng.Next(1000), rng.Next(1000));
    }

    [EvalSource(Count = 2)] public static IEnumerable<Sum> HeldOut(Random rng) => Sums(rng);

    [Prompt] public static string Render(Sum s) => $"{s.A}+{s.B}=";

    [Reward(Accuracy = true)]
    public static float Correct(Sum s, Completion c) => c.TryParseInt(out var v) && v == s.Answer ? 1f : 0f;

    // A reward that varies between completions, so advantages are not all zero.
    [Reward(Weight = 0.1)]
    public static float Short(Completion c) => 1f / (1 + c.TokenCount);
}
