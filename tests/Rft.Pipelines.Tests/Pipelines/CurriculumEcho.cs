using Rft;

namespace Rft.Pipelines.Tests.Pipelines;

/// <summary>A number of 1 to 3 digits to repeat back; <see cref="Digits"/> is its difficulty category.</summary>
public sealed record EchoNumber(string Text, int Digits);

/// <summary>
/// The Self-Evolving Curriculum over the number of digits, with a prior prompt: the end-to-end check that
/// the generated step draws through the curriculum, feeds it each prompt's signal and reports its metrics.
/// </summary>
[Pipeline]
[Policy(Preset = "nano")]
[Grpo(GroupSize = 4, PromptsPerStep = 6)]
[Curriculum(CurriculumKind.SelfEvolving, Key = "Digits", Alpha = 0.5, Temperature = 0.1)]
[PriorPrompt(">")]
[Training(Steps = 6, LearningRate = 2e-3, WarmupSteps = 1, Seed = 3, LogEvery = 1)]
[Rollout(MaxNewTokens = 4, MaxPromptTokens = 6)]
public partial class CurriculumEcho
{
    [Source(Weight = 1)] public static IEnumerable<EchoNumber> OneDigit(Random rng) => Numbers(rng, 1);

    [Source(Weight = 1)] public static IEnumerable<EchoNumber> TwoDigits(Random rng) => Numbers(rng, 2);

    [Source(Weight = 1)] public static IEnumerable<EchoNumber> ThreeDigits(Random rng) => Numbers(rng, 3);

    [EvalSource(Count = 12)] public static IEnumerable<EchoNumber> HeldOut(Random rng) => Numbers(rng, 1);

    [Prompt] public static string Render(EchoNumber n) => n.Text + ":";

    [Reward(Accuracy = true)]
    public static float Echoed(string text, Completion c) => c.Text.SequenceEqual(text) ? 1f : 0f;

    private static IEnumerable<EchoNumber> Numbers(Random rng, int digits)
    {
        int low = digits == 1 ? 0 : (int)Math.Pow(10, digits - 1), high = (int)Math.Pow(10, digits);
        while (true) yield return new EchoNumber(rng.Next(low, high).ToString(System.Globalization.CultureInfo.InvariantCulture), digits);
    }
}
