using Arithmetic;

namespace Rft.OffPolicyComparison;

/// <summary>
/// Replay only: GRPO whose updates also train on rows replayed from the last two steps (half of each update's rows
/// fresh), with the mix-policy ratio against the behaviour policy and two optimizer steps per rollout, as the ReMix arm
/// takes; no KL-convex term and no reincarnation.
/// </summary>
[Pipeline]
[Policy(Preset = "tiny")]
[Grpo(GroupSize = 16, PromptsPerStep = 8, ClipLow = 0.2, ClipHigh = 0.28)]
[Replay(Capacity = 512, MaxStaleness = 2, OnPolicyShare = 0.5)]
[Training(Steps = 400, LearningRate = 1e-4, MinLearningRateRatio = 0.5, WarmupSteps = 10, Seed = 1234, LogEvery = 50, MiniBatches = 2)]
[Rollout(MaxNewTokens = 6, MaxPromptTokens = 10, Temperature = 1.0)]
public partial class ArithmeticReplay
{
    [Source(Weight = 3)] public static IEnumerable<Problem> Sums(Random rng) => SharedTask.Sums(rng);
    [Source(Weight = 1)] public static IEnumerable<Problem> Differences(Random rng) => SharedTask.Differences(rng);
    [EvalSource(Count = 500)] public static IEnumerable<Problem> HeldOut(Random rng) => SharedTask.HeldOut(rng);
    [Prompt] public static string Render(Problem p) => SharedTask.Render(p);
    [Reward(Weight = 1.0, Accuracy = true)] public static float Correct(int answer, Completion c) => SharedTask.Correct(answer, c);
    [Reward(Weight = 0.1)] public static float Stopped(Completion c) => SharedTask.Stopped(c);
}
