using Arithmetic;

namespace Rft.OffPolicyComparison;

/// <summary>
/// Online DPO combined with GRPO: every step adds the DPO loss of each group's best-versus-worst pair (against the
/// policy as RL starts) to the GRPO loss.
/// </summary>
[Pipeline]
[Policy(Preset = "tiny")]
[Grpo(GroupSize = 16, PromptsPerStep = 8, ClipLow = 0.2, ClipHigh = 0.28)]
[OnlineDpo(Beta = 0.1, Mode = DpoMode.Combined, Weight = 1.0)]
[Training(Steps = 400, LearningRate = 1e-4, MinLearningRateRatio = 0.5, WarmupSteps = 10, Seed = 1234, LogEvery = 50)]
[Rollout(MaxNewTokens = 6, MaxPromptTokens = 10, Temperature = 1.0)]
public partial class ArithmeticDpo
{
    [Source(Weight = 3)] public static IEnumerable<Problem> Sums(Random rng) => SharedTask.Sums(rng);
    [Source(Weight = 1)] public static IEnumerable<Problem> Differences(Random rng) => SharedTask.Differences(rng);
    [EvalSource(Count = 500)] public static IEnumerable<Problem> HeldOut(Random rng) => SharedTask.HeldOut(rng);
    [Prompt] public static string Render(Problem p) => SharedTask.Render(p);
    [Reward(Weight = 1.0, Accuracy = true)] public static float Correct(int answer, Completion c) => SharedTask.Correct(answer, c);
    [Reward(Weight = 0.1)] public static float Stopped(Completion c) => SharedTask.Stopped(c);
}
