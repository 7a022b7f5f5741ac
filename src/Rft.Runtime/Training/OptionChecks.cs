using System.Globalization;

namespace Rft.Training;

/// <summary>
/// The checks generated options classes run at start. Each failure is one message naming the option,
/// its value and what would be valid.
/// </summary>
public static class OptionChecks
{
    public static void AtLeast(List<string> errors, string name, int value, int minimum)
    {
        if (value < minimum) errors.Add($"{name} = {Format(value)} is invalid: it must be at least {Format(minimum)}.");
    }

    public static void AtLeast(List<string> errors, string name, double value, double minimum)
    {
        if (!(value >= minimum)) errors.Add($"{name} = {Format(value)} is invalid: it must be at least {Format(minimum)}.");
    }

    public static void Positive(List<string> errors, string name, double value)
    {
        if (!(value > 0) || double.IsInfinity(value)) errors.Add($"{name} = {Format(value)} is invalid: it must be a positive finite number.");
    }

    /// <summary>Requires <paramref name="low"/> &lt;= value &lt; <paramref name="high"/>.</summary>
    public static void InRange(List<string> errors, string name, double value, double low, double high)
    {
        if (!(value >= low && value < high)) errors.Add($"{name} = {Format(value)} is invalid: it must be in [{Format(low)}, {Format(high)}).");
    }

    /// <summary>Requires <paramref name="low"/> &lt; value &lt;= <paramref name="high"/>.</summary>
    public static void InRangeExclusiveLow(List<string> errors, string name, double value, double low, double high)
    {
        if (!(value > low && value <= high)) errors.Add($"{name} = {Format(value)} is invalid: it must be in ({Format(low)}, {Format(high)}].");
    }

    public static void NotEmpty(List<string> errors, string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) errors.Add($"{name} is empty: it must name a folder.");
    }

    /// <summary>A preset name must be a known preset unless a checkpoint path is given.</summary>
    public static void Preset(List<string> errors, string name, string? preset, string? path)
    {
        if (!string.IsNullOrEmpty(path)) return;
        if (preset is null || !Models.ModelPresets.Names.Contains(preset, StringComparer.Ordinal))
            errors.Add($"{name} = '{preset}' is not a known model preset: use one of {string.Join(", ", Models.ModelPresets.Names)}.");
    }

    private static string Format(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
