using Arithmetic;

namespace Rft.OffPolicyComparison;

/// <summary>RAFT: of each prompt's 16 completions keep the best (if it is correct), and fine-tune on it.</summary>
[Pipeline]
[Policy(Preset = "tiny")]
[Grpo(GroupSize = 16, PromptsPerStep = 8)]
[Raft(TopK = 1, Threshold = 1.0)]
[Training(Steps = 400, LearningRate = 1e-4, MinLearningRateRatio = 0.5, WarmupSteps = 10, Seed = 1234, LogEvery = 50)]
[Rollout(MaxNewTokens = 6, MaxPromptTokens = 10, Temperature = 1.0)]
public partial class ArithmeticRaft
{
    [Source(Weight = 3)] public static IEnumerable<Problem> Sums(Random rng) => SharedTask.Sums(rng);
    [Source(Weight = 1)] public static IEnumerable<Problem> Differences(Random rng) => SharedTask.Differences(rng);
    [EvalSource(Count = 500)] public static IEnumerable<Problem> HeldOut(Random rng) => SharedTask.HeldOut(rng);
    [Prompt] public static string Render(Problem p) => SharedTask.Render(p);
    [Reward(Weight = 1.0, Accuracy = true)] public static float Correct(int answer, Completion c) => SharedTask.Correct(answer, c);
    [Reward(Weight = 0.1)] public static float Stopped(Completion c) => SharedTask.Stopped(c);
}
