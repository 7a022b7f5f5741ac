using Rft;

namespace Rft.Pipelines.Tests.Pipelines.OffPolicy;

/// <summary>
/// The echo task with online DPO alone (Every = 1: every step is a DPO step): each group's right answer is preferred to
/// a wrong one, against the policy as RL starts.
/// </summary>
[Pipeline]
[Policy(Preset = "tiny")]
[Grpo(GroupSize = 8, PromptsPerStep = 16)]
[OnlineDpo(Beta = 0.1, Mode = DpoMode.Alternate, Every = 1)]
[Training(Steps = 30, LearningRate = 2e-3, WarmupSteps = 2, Seed = 7)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class DpoEcho
{
    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => EchoDigit.Digits(rng);

    [EvalSource(Count = 50)] public static IEnumerable<DigitTask> HeldOut(Random rng) => EchoDigit.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => $"{task.Digit}:";

    [Reward(Accuracy = true)]
    public static float Echoed(int digit, Completion c) => c.Text.Length > 0 && c.Text[0] == (char)('0' + digit) ? 1f : 0f;
}
