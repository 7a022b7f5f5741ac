namespace Rft;

/// <summary>How every token-level loss term is aggregated; token mean when absent.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class AggregationAttribute : Attribute
{
    public AggregationAttribute(AggregationMode mode) => Mode = mode;

    /// <summary>The aggregation mode.</summary>
    public AggregationMode Mode { get; }
}
