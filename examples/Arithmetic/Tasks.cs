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
        // The digit count is drawn first so that 1-, 2- and 3-digit problems are equally common.
        int digits = rng.Next(1, maxDigits + 1);
        int low = digits == 1 ? 0 : Pow10(digits - 1);
        int high = Pow10(digits);
        return (rng.Next(low, high), rng.Next(low, high), digits);
    }

    private static int Pow10(int n)
    {
        int value = 1;
        for (int i = 0; i < n; i++) value *= 10;
        return value;
    }
}
