using Rft;

namespace Rft.Pipelines.Tests.Pipelines.Update;

/// <summary>A supervised warm-up of one step on 12 demonstrations, then GRPO with an SFT term on the step's 3 records.</summary>
[Pipeline]
[Policy(Preset = "nano")]
[SftWarmup(MaxSteps = 1, BatchSize = 12, LearningRate = 1e-3, WarmupSteps = 0, EvalEvery = 1, ValidationSize = 4, TargetAccuracy = 1.1)]
[Grpo(GroupSize = 4, PromptsPerStep = 3)]
[SftTerm(0.5, TokenWeight = true)]
[Training(Steps = 1, LearningRate = 1e-3, WarmupSteps = 0, Seed = 23)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class SftUpdate
{
    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => UpdateTask.Digits(rng);

    [EvalSource(Count = 4)] public static IEnumerable<DigitTask> HeldOut(Random rng) => UpdateTask.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => UpdateTask.Render(task);

    [Demonstration] public static string Answer(DigitTask task) => task.Digit.ToString(System.Globalization.CultureInfo.InvariantCulture) + task.Digit;

    [Reward(Accuracy = true)] public static float Echoed(int digit, Completion c) => UpdateTask.Echoed(digit, c);

    [Reward(Weight = 0.5)] public static float Length(Completion c) => UpdateTask.Length(c);
}
