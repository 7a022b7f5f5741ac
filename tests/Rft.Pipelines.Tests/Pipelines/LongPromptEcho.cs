using Rft;

namespace Rft.Pipelines.Tests.Pipelines;

/// <summary>How long a text to repeat back is: its category in the curriculum.</summary>
public enum TextLength
{
    Short,
    Long,
}

/// <summary>A text to repeat back: 1 to 3 digits (short) or 10 (long, longer than the pipeline's prompt limit).</summary>
public sealed record EchoText(string Text, TextLength Length);

/// <summary>
/// The small things users hit, in one pipeline that runs: prompts longer than MaxPromptTokens under
/// <see cref="OverlongPrompts.Skip"/> (drawn through an enum-keyed Self-Evolving Curriculum, so a skipped record is
/// withdrawn from it), rewards of weight 0 that are tracked but not rewarded (one of them always failing), and a
/// constant learning rate (MinLearningRateRatio = 1, no warm-up).
/// </summary>
[Pipeline]
[Policy(Preset = "nano")]
[Grpo(GroupSize = 2, PromptsPerStep = 4)]
[Curriculum(CurriculumKind.SelfEvolving, Key = "Length", Alpha = 0.5, Temperature = 1.0)]
[Training(Steps = 3, LearningRate = 1e-3, WarmupSteps = 0, MinLearningRateRatio = 1, Seed = 5)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 6, OverlongPrompts = OverlongPrompts.Skip)]
public partial class LongPromptEcho
{
    [Source] public static IEnumerable<EchoText> Short(Random rng) => Texts(rng, TextLength.Short);

    [Source] public static IEnumerable<EchoText> Long(Random rng) => Texts(rng, TextLength.Long);

    /// <summary>Short and long texts alternately: half the held-out prompts are too long.</summary>
    [EvalSource(Count = 8)]
    public static IEnumerable<EchoText> HeldOut(Random rng)
    {
        using var shorts = Texts(rng, TextLength.Short).GetEnumerator();
        using var longs = Texts(rng, TextLength.Long).GetEnumerator();
        while (shorts.MoveNext() && longs.MoveNext())
        {
            yield return shorts.Current;
            yield return longs.Current;
        }
    }

    [Prompt] public static string Render(EchoText t) => t.Text + ":";

    [Reward(Accuracy = true)]
    public static float Echoed(string text, Completion c) => c.Text.SequenceEqual(text) ? 1f : 0f;

    [Reward(Weight = 0)] public static float Characters(Completion c) => c.Text.Length;

    [Reward(Weight = 0)] public static float Broken(Completion c) => float.NaN;

    private static IEnumerable<EchoText> Texts(Random rng, TextLength length)
    {
        while (true)
        {
            int digits = length == TextLength.Short ? rng.Next(1, 4) : 10;
            yield return new EchoText(string.Concat(Enumerable.Range(0, digits).Select(_ => (char)('0' + rng.Next(10)))), length);
        }
    }
}
