using Rft;

namespace Rft.Pipelines.Tests.Pipelines.Update;

/// <summary>
/// DAPO's dynamic sampling on the echo task, with a switch that makes every reward 1: then every group is flat, and the
/// step has no signal and no update.
/// </summary>
[Pipeline]
[Policy(Preset = "nano")]
[Grpo(GroupSize = 4, PromptsPerStep = 3)]
[DynamicSampling(MaxExtraRounds = 1)]
[Training(Steps = 4, LearningRate = 1e-3, WarmupSteps = 0, Seed = 29)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class SwitchableDynamic
{
    /// <summary>While true every completion earns 1: no group has a signal.</summary>
    public static bool Flat { get; set; }

    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => UpdateTask.Digits(rng);

    [EvalSource(Count = 4)] public static IEnumerable<DigitTask> HeldOut(Random rng) => UpdateTask.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => UpdateTask.Render(task);

    [Reward(Accuracy = true)] public static float Echoed(int digit, Completion c) => Flat ? 1f : UpdateTask.Echoed(digit, c);

    [Reward(Weight = 0.5)] public static float Length(Completion c) => Flat ? 1f : c.TokenCount / 3f;
}
