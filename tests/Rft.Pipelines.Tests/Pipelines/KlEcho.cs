using Rft;

namespace Rft.Pipelines.Tests.Pipelines;

/// <summary>
/// The same task with a KL penalty, an entropy bonus, an async instance reward that reads the whole
/// record, and a warm-up: every optional quantity of the step is live.
/// </summary>
[Pipeline]
[Policy(Preset = "nano")]
[SftWarmup(MaxSteps = 20, BatchSize = 16, LearningRate = 3e-3, TargetAccuracy = 2, EvalEvery = 10, ValidationSize = 16)]
[Grpo(GroupSize = 4, PromptsPerStep = 4)]
[KlPenalty(0.05, Estimator = KlEstimator.K3)]
[EntropyBonus(0.001)]
[Training(Steps = 3, LearningRate = 1e-3, Seed = 11)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class KlEcho
{
    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => EchoDigit.Digits(rng);

    [EvalSource(Count = 8)] public static IEnumerable<DigitTask> HeldOut(Random rng) => EchoDigit.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => $"{task.Digit}:";

    [Demonstration] public static string Answer(DigitTask task) => task.Digit.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Reward(Accuracy = true)]
    public async ValueTask<float> Echoed(DigitTask task, Completion c)
    {
        await Task.Yield();
        return c.Text.Length > 0 && c.Text[0] == (char)('0' + task.Digit) ? 1f : 0f;
    }
}
