using Rft;

namespace Rft.Pipelines.Tests.Pipelines.OffPolicy;

/// <summary>
/// <see cref="LoggedEcho"/>'s objective trained from a rollout log instead of sampling (the test points
/// Rft:OfflineRolloutsPath at the log a LoggedEcho run dumped).
/// </summary>
[Pipeline]
[Policy(Preset = "nano")]
[Grpo(GroupSize = 4, PromptsPerStep = 4, ClipHigh = 0.28)]
[KlPenalty(0.02)]
[OfflineRollouts("rollouts.jsonl", Repeat = false)]
[Training(Steps = 1, LearningRate = 1e-3, WarmupSteps = 0, Seed = 3)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class OfflineEcho
{
    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => EchoDigit.Digits(rng);

    [EvalSource(Count = 8)] public static IEnumerable<DigitTask> HeldOut(Random rng) => EchoDigit.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => $"{task.Digit}:";

    [Reward(Accuracy = true)]
    public static float Echoed(int digit, Completion c) => c.Text.Length > 0 && c.Text[0] == (char)('0' + digit) ? 1f : 0f;
}
