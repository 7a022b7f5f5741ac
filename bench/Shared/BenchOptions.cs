using System.Globalization;

namespace Rft.Benchmarks;

/// <summary>
/// The benches' <c>--name value</c> options (bench/Shared, compiled into each bench): looked up by name with a
/// fallback, or parsed one by one with a message naming the option.
/// </summary>
internal static class BenchOptions
{
    public static int Int(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    public static string String(string[] args, string name, string fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }

    /// <summary><paramref name="value"/> of option <paramref name="name"/> as an integer; throws <see cref="ArgumentException"/> naming it.</summary>
    public static int Int(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw new ArgumentException($"{name} takes an integer, not '{value}'.");

    public static int PositiveInt(string name, string value)
    {
        int n = Int(name, value);
        return n > 0 ? n : throw new ArgumentException($"{name} must be positive, not {n}.");
    }

    public static double Double(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) ? x : throw new ArgumentException($"{name} takes a number, not '{value}'.");
}
