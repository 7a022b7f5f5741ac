using System.Globalization;
using Arithmetic;

namespace Rft.CurriculumComparison;

/// <summary>
/// Seeded arithmetic problems in three difficulty categories: both operands have exactly 1, 2 or 3 digits
/// (1 digit: 0-9; 2 digits: 10-99; 3 digits: 100-999), and <see cref="Problem.Digits"/> is that number.
/// </summary>
public static class DigitTasks
{
    /// <summary>The categories, in increasing difficulty.</summary>
    public static readonly int[] Categories = { 1, 2, 3 };

    /// <summary>Problems of one category, forever: three sums for every difference, as in the Arithmetic example.</summary>
    public static IEnumerable<Problem> Problems(Random rng, int digits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digits, 3);
        int low = digits == 1 ? 0 : Pow10(digits - 1), high = Pow10(digits);
        while (true)
        {
            int a = rng.Next(low, high), b = rng.Next(low, high);
            yield return rng.Next(4) < 3
                ? new Problem(string.Create(CultureInfo.InvariantCulture, $"{a}+{b}"), a + b, digits)
                : new Problem(string.Create(CultureInfo.InvariantCulture, $"{a}-{b}"), a - b, digits);
        }
    }

    /// <summary>
    /// The held-out stream: the categories in turn (1, 2, 3, 1, 2, 3...), so that any count that is a multiple of
    /// three holds an equal number of each.
    /// </summary>
    public static IEnumerable<Problem> HeldOut(Random rng)
    {
        var streams = Categories.Select(digits => Problems(rng, digits).GetEnumerator()).ToArray();
        try
        {
            for (int i = 0; ; i = (i + 1) % streams.Length)
            {
                streams[i].MoveNext();
                yield return streams[i].Current;
            }
        }
        finally
        {
            foreach (var stream in streams) stream.Dispose();
        }
    }

    private static int Pow10(int n)
    {
        int value = 1;
        for (int i = 0; i < n; i++) value *= 10;
        return value;
    }
}
