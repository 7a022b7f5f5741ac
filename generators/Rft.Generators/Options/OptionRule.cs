using System.Globalization;

namespace Rft.Generators.Options;

/// <summary>
/// The valid range of one numeric option. The generated <c>Validate()</c> calls the runtime check of
/// the same name; the parser applies the same rule to attribute values, so a bad default is a
/// compile error at the attribute argument rather than a failure at start.
/// </summary>
internal sealed record OptionRule(OptionRuleKind Kind, double Low, double High)
{
    public static OptionRule AtLeast(double minimum) => new(OptionRuleKind.AtLeast, minimum, double.PositiveInfinity);

    public static OptionRule Positive { get; } = new(OptionRuleKind.Positive, 0, double.PositiveInfinity);

    public static OptionRule InRange(double low, double high) => new(OptionRuleKind.InRange, low, high);

    public static OptionRule InRangeExclusiveLow(double low, double high) => new(OptionRuleKind.InRangeExclusiveLow, low, high);

    public static OptionRule InClosedRange(double low, double high) => new(OptionRuleKind.InClosedRange, low, high);

    public static OptionRule NonNegative { get; } = new(OptionRuleKind.NonNegative, 0, double.PositiveInfinity);

    /// <summary>The <c>Rft.Training.OptionChecks</c> method that applies this rule.</summary>
    public string CheckMethod => Kind.ToString();

    /// <summary>Mirrors <c>OptionChecks</c>: NaN is never accepted.</summary>
    public bool Accepts(double value) => Kind switch
    {
        OptionRuleKind.AtLeast => value >= Low,
        OptionRuleKind.Positive => value > 0 && !double.IsInfinity(value),
        OptionRuleKind.InRange => value >= Low && value < High,
        OptionRuleKind.InRangeExclusiveLow => value > Low && value <= High,
        OptionRuleKind.InClosedRange => value >= Low && value <= High,
        OptionRuleKind.NonNegative => value >= 0 && !double.IsInfinity(value),
        _ => true,
    };

    /// <summary>What would be valid, completing "it must be ...".</summary>
    public string Describe() => Kind switch
    {
        OptionRuleKind.AtLeast => "at least " + Format(Low),
        OptionRuleKind.Positive => "a positive finite number",
        OptionRuleKind.InRange => "in [" + Format(Low) + ", " + Format(High) + ")",
        OptionRuleKind.InRangeExclusiveLow => "in (" + Format(Low) + ", " + Format(High) + "]",
        OptionRuleKind.InClosedRange => "in [" + Format(Low) + ", " + Format(High) + "]",
        OptionRuleKind.NonNegative => "a finite number of at least 0",
        _ => string.Empty,
    };

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
