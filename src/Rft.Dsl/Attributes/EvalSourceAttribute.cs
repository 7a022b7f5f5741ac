namespace Rft;

/// <summary>
/// Held-out evaluation records: a static method <c>IEnumerable&lt;TRecord&gt; Name(Random rng)</c>
/// yielding the record type of the sources. The first <see cref="Count"/> records are evaluated with
/// greedy decoding after the SFT warm-up and after RL.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class EvalSourceAttribute : Attribute
{
    /// <summary>How many held-out records to evaluate.</summary>
    public int Count { get; set; } = 500;
}
