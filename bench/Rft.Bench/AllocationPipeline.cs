using Rft;

namespace Rft.Bench;

/// <summary>An addition problem; the bench only needs a realistic step, not learning.</summary>
public sealed record Sum(int A, int B)
{
    public int Answer => A + B;
}

/// <summary>The pipeline whose steady-state GRPO step the bench measures (no warm-up).</summary>
[Pipeline]
[Policy(Preset = "tiny")]
[Grpo(GroupSize = 8, PromptsPerStep = 1)]
[Training(Steps = 60, LearningRate = 3e-5, Seed = 5)]
[Rollout(MaxNewTokens = 6, MaxPromptTokens = 10)]
public partial class AllocationPipeline
{
    [Source] public static IEnumerable<Sum> Sums(Random rng)
    {
        while (true) yield return new Sum(rng.Next(1000), rng.Next(1000));
    }

    [EvalSource(Count = 8)] public static IEnumerable<Sum> HeldOut(Random rng) => Sums(rng);

    [Prompt] public static string Render(Sum s) => $"{s.A}+{s.B}=";

    [Reward(Accuracy = true)]
    public static float Correct(Sum s, Completion c) => c.TryParseInt(out var v) && v == s.Answer ? 1f : 0f;

    [Reward(Weight = 0.1)]
    public static float Stopped(Completion c) => c.Finished ? 1f : 0f;
}
