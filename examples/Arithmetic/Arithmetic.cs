using Rft;

namespace Arithmetic;

/// <summary>
/// Learns addition and subtraction of numbers of up to three digits: a supervised warm-up on
/// worked answers, then GRPO on an exact-match reward. Run it with <c>dotnet run --project examples/Arithmetic</c>.
/// </summary>
[Pipeline]
[Policy(Preset = "tiny")]
[SftWarmup(MaxSteps = 3000, BatchSize = 128, LearningRate = 1e-3, TargetAccuracy = 0.3, EvalEvery = 20)]
[Grpo(GroupSize = 16, PromptsPerStep = 8, ClipLow = 0.2, ClipHigh = 0.28)]
[Training(Steps = 1000, LearningRate = 1e-4, MinLearningRateRatio = 0.5, WarmupSteps = 10, Seed = 1234, LogEvery = 50, EvalEvery = 100)]
[Rollout(MaxNewTokens = 6, MaxPromptTokens = 10, Temperature = 1.0)]
// Off by default (full fine-tuning); --Rft:LoraEnabled=true trains RL through rank-8 adapters instead.
[Lora(Enabled = false, Rank = 8, Alpha = 16)]
public partial class Arithmetic
{
    // The mixture: three sums for every difference.
    [Source(Weight = 3)] public static IEnumerable<Problem> Sums(Random rng) => Tasks.Sums(rng, maxDigits: 3);
    [Source(Weight = 1)] public static IEnumerable<Problem> Differences(Random rng) => Tasks.Differences(rng, maxDigits: 3);

    // Held-out problems: the same distribution from its own seeded generator.
    [EvalSource(Count = 500)]
    public static IEnumerable<Problem> HeldOut(Random rng)
    {
        using var sums = Tasks.Sums(rng, maxDigits: 3).GetEnumerator();
        using var differences = Tasks.Differences(rng, maxDigits: 3).GetEnumerator();
        while (true)
        {
            var source = rng.Next(4) < 3 ? sums : differences;
            source.MoveNext();
            yield return source.Current;
        }
    }

    [Prompt] public static string Render(Problem p) => $"{p.Question}=";

    // What the warm-up imitates.
    [Demonstration] public static string Worked(Problem p) => p.Answer.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Reward(Weight = 1.0, Accuracy = true)]
    public static float Correct(int answer, Completion c) => c.TryParseInt(out var value) && value == answer ? 1f : 0f;

    [Reward(Weight = 0.1)]
    public static float Stopped(Completion c) => c.Finished ? 1f : 0f;
}
