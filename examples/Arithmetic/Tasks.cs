namespace Arithmetic;

/// <summary>Seeded generators of arithmetic problems.</summary>
public static class Tasks
{
    /// <summary>a+b with operands of 1 to <paramref name="maxDigits"/> digits, forever.</summary>
    public static IEnumerable<Problem> Sums(Random rng, int maxDigits)
    {
        while (true)
        {
            var (a, b, digits) = Operands(rng, maxDigits);
            yield return new Problem($"{a}+{b}", a + b, digits);
        }
    }

    /// <summary>a-b with operands of 1 to <paramref name="maxDigits"/> digits, forever; the result may be negative.</summary>
    public static IEnumerable<Problem> Differences(Random rng, int maxDigits)
    {
        while (true)
        {
            var (a, b, digits) = Operands(rng, maxDigits);
            yield return new Problem($"{a}-{b}", a - b, digits);
        }
    }

    private static (int A, int B, int Digits) Operands(Random rng, int maxDigits)
    {
        // Operands uniform in [0, 10^maxDigits): most problems have maxDigits-digit operands.
        int high = Pow10(maxDigits);
        int a = rng.Next(high), b = rng.Next(high);
        return (a, b, Math.Max(DigitCount(a), DigitCount(b)));
    }

    private static int DigitCount(int n) => n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : (int)Math.Floor(Math.Log10(n)) + 1;

    private static int Pow10(int n)
    {
        int value = 1;
        for (int i = 0; i < n; i++) value *= 10;
        return value;
    }
}
