using Rft;

namespace Rft.Pipelines.Tests.Pipelines;

/// <summary>
/// <see cref="EchoDigit"/>'s task under DAPO's dynamic sampling: with groups of 4 a random policy often
/// gets a whole group wrong, so steps drop flat groups and draw more prompts to fill the batch.
/// </summary>
[Pipeline]
[Policy(Preset = "nano")]
[Grpo(GroupSize = 4, PromptsPerStep = 8)]
[DynamicSampling(MaxExtraRounds = 2)]
[Training(Steps = 5, LearningRate = 2e-3, WarmupSteps = 1, Seed = 5, LogEvery = 1)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class DapoEcho
{
    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => EchoDigit.Digits(rng);

    [EvalSource(Count = 10)] public static IEnumerable<DigitTask> HeldOut(Random rng) => EchoDigit.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => EchoDigit.Render(task);

    [Reward(Accuracy = true)]
    public static float Echoed(int digit, Completion c) => EchoDigit.Echoed(digit, c);
}
