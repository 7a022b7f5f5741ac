using Rft;

namespace Rft.Pipelines.Tests.Pipelines.OffPolicy;

/// <summary>The echo task with GRPO whose runs dump their rollouts (the test sets --Rft:DumpRollouts).</summary>
[Pipeline]
[Policy(Preset = "nano")]
[Grpo(GroupSize = 4, PromptsPerStep = 4, ClipHigh = 0.28)]
[KlPenalty(0.02)]
[Training(Steps = 1, LearningRate = 1e-3, WarmupSteps = 0, Seed = 3)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class LoggedEcho
{
    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => EchoDigit.Digits(rng);

    [EvalSource(Count = 8)] public static IEnumerable<DigitTask> HeldOut(Random rng) => EchoDigit.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => $"{task.Digit}:";

    [Reward(Accuracy = true)]
    public static float Echoed(int digit, Completion c) => c.Text.Length > 0 && c.Text[0] == (char)('0' + digit) ? 1f : 0f;
}
