using Rft;

namespace Rft.Pipelines.Tests.Pipelines.Update;

/// <summary>RLOO on 3 prompts x 4 completions = 12 rows, for the update-shape tests.</summary>
[Pipeline]
[Policy(Preset = "nano")]
[Rloo(GroupSize = 4, PromptsPerStep = 3)]
[KlPenalty(0.05, Estimator = KlEstimator.K3)]
[EntropyBonus(0.01)]
[Training(Steps = 1, LearningRate = 1e-3, WarmupSteps = 0, Seed = 21)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class RlooUpdate
{
    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => UpdateTask.Digits(rng);

    [EvalSource(Count = 4)] public static IEnumerable<DigitTask> HeldOut(Random rng) => UpdateTask.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => UpdateTask.Render(task);

    [Reward(Accuracy = true)] public static float Echoed(int digit, Completion c) => UpdateTask.Echoed(digit, c);

    [Reward(Weight = 0.5)] public static float Length(Completion c) => UpdateTask.Length(c);
}
