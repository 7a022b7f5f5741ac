namespace Rft.Generators.Options;

/// <summary>The range checks of <c>Rft.Training.OptionChecks</c>, named as its methods.</summary>
internal enum OptionRuleKind
{
    /// <summary><c>value &gt;= Low</c>.</summary>
    AtLeast,

    /// <summary><c>value &gt; 0</c> and finite.</summary>
    Positive,

    /// <summary><c>Low &lt;= value &lt; High</c>.</summary>
    InRange,

    /// <summary><c>Low &lt; value &lt;= High</c>.</summary>
    InRangeExclusiveLow,

    /// <summary><c>Low &lt;= value &lt;= High</c>.</summary>
    InClosedRange,

    /// <summary><c>value &gt;= 0</c> and finite.</summary>
    NonNegative,
}
