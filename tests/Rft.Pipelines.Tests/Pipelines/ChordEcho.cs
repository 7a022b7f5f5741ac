using Rft;

namespace Rft.Pipelines.Tests.Pipelines;

/// <summary>
/// The echo task with CHORD: GRPO mixed with cross-entropy on the step's own demonstrations, mu warming
/// up over 2 steps then decaying. No warm-up phase: the SFT signal comes only through the mixed loss.
/// (CHORD-phi's p (1 - p) token weight is left off: from scratch every target token has p near 1/V, so
/// the weight would scale the SFT gradient down by about the vocabulary size.)
/// </summary>
[Pipeline]
[Policy(Preset = "tiny")]
[Grpo(GroupSize = 4, PromptsPerStep = 16)]
[SftTerm(0.9, Schedule = SftSchedule.Chord, EndWeight = 0.1, WarmupSteps = 2, DecaySteps = 20)]
[Training(Steps = 20, LearningRate = 2e-3, WarmupSteps = 2, Seed = 7)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class ChordEcho
{
    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => EchoDigit.Digits(rng);

    [EvalSource(Count = 50)] public static IEnumerable<DigitTask> HeldOut(Random rng) => EchoDigit.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => $"{task.Digit}:";

    [Demonstration] public static string Answer(DigitTask task) => task.Digit.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Reward(Accuracy = true)]
    public static float Echoed(int digit, Completion c) => c.Text.Length > 0 && c.Text[0] == (char)('0' + digit) ? 1f : 0f;
}
