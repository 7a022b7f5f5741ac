using System.Globalization;
using Arithmetic;

namespace Rft.OffPolicyComparison;

/// <summary>
/// What every arm shares: the Arithmetic example's task (a+b and a-b, operands uniform in 0..999, three sums to one
/// difference), its prompt, the warm-up's demonstration and its rewards. The arms differ only in how they learn from
/// their rollouts.
/// </summary>
public static class SharedTask
{
    public static IEnumerable<Problem> Sums(Random rng) => Tasks.Sums(rng, maxDigits: 3);

    public static IEnumerable<Problem> Differences(Random rng) => Tasks.Differences(rng, maxDigits: 3);

    /// <summary>The held-out stream: the training distribution from its own seeded generator.</summary>
    public static IEnumerable<Problem> HeldOut(Random rng)
    {
        using var sums = Sums(rng).GetEnumerator();
        using var differences = Differences(rng).GetEnumerator();
        while (true)
        {
            var source = rng.Next(4) < 3 ? sums : differences;
            source.MoveNext();
            yield return source.Current;
        }
    }

    public static string Render(Problem p) => $"{p.Question}=";

    public static string Worked(Problem p) => p.Answer.ToString(CultureInfo.InvariantCulture);

    /// <summary>1 for the exact answer, else 0.</summary>
    public static float Correct(int answer, Completion c) => c.TryParseInt(out var value) && value == answer ? 1f : 0f;

    /// <summary>1 when the completion ended with the end-of-sequence token.</summary>
    public static float Stopped(Completion c) => c.Finished ? 1f : 0f;
}
