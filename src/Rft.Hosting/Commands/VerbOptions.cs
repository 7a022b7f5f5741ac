using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Rft.Hosting.Commands;

/// <summary>
/// Options of the verbs whose values are checked as they are parsed; a bad value is a parse error naming the flag, the
/// value given and what would be valid (<c>--count "0" must be an integer >= 1.</c>).
/// </summary>
internal static class VerbOptions
{
    public static Option<int> Integer(string name, string description, int defaultValue, int minimum) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseInteger(result, name, minimum) ?? defaultValue,
    };

    /// <summary>An integer option whose absence means "decide later" (null).</summary>
    public static Option<int?> OptionalInteger(string name, string description, int minimum) => new(name)
    {
        Description = description,
        HelpName = "N",
        CustomParser = result => ParseInteger(result, name, minimum),
    };

    public static Option<long> Long(string name, string description, long defaultValue) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = Single(result);
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value)) return value;
            result.AddError($"{name} \"{text}\" must be an integer.");
            return defaultValue;
        },
    };

    /// <param name="rule">What a valid value is, completing "must be ...".</param>
    public static Option<double> Number(string name, string description, double defaultValue, Func<double, bool> isValid, string rule) => new(name)
    {
        Description = description,
        HelpName = "X",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = Single(result);
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && isValid(value)) return value;
            result.AddError($"{name} \"{text}\" must be {rule}.");
            return defaultValue;
        },
    };

    public static Option<string> Choice(string name, string description, string defaultValue, params string[] values) => new(name)
    {
        Description = description,
        HelpName = string.Join('|', values),
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = Single(result);
            if (values.Contains(text, StringComparer.Ordinal)) return text;
            result.AddError($"{name} \"{text}\" is not supported; valid values: {string.Join(", ", values)}.");
            return defaultValue;
        },
    };

    /// <summary>A path option: an empty value is an error.</summary>
    public static Option<string?> Path(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "path",
        CustomParser = result =>
        {
            string text = Single(result);
            if (!string.IsNullOrWhiteSpace(text)) return text;
            result.AddError($"{name} needs a path.");
            return null;
        },
    };

    private static int? ParseInteger(ArgumentResult result, string name, int minimum)
    {
        string text = Single(result);
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= minimum) return value;
        result.AddError($"{name} \"{text}\" must be an integer >= {minimum}.");
        return null;
    }

    // Each option takes one value; System.CommandLine reports a missing one before a custom parser runs.
    private static string Single(ArgumentResult result) => result.Tokens.Count == 0 ? string.Empty : result.Tokens[^1].Value;
}
