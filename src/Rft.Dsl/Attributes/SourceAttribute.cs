namespace Rft;

/// <summary>
/// A training data source: a static method <c>IEnumerable&lt;TRecord&gt; Name(Random rng)</c>.
/// All sources of a pipeline yield the same record type; the batch draws from them by weight.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class SourceAttribute : Attribute
{
    /// <summary>Relative weight of this source in the mixture; must be positive (a source of weight 0 would never be drawn: remove it).</summary>
    public double Weight { get; set; } = 1.0;
}
