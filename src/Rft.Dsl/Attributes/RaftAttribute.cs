namespace Rft;

/// <summary>
/// RAFT, reward-ranked fine-tuning (Dong et al. 2023, arXiv:2304.06767), also called expert iteration or rejection
/// sampling fine-tuning: of each prompt's group of completions keep the <see cref="TopK"/> best by reward (only those
/// scoring at least <see cref="Threshold"/> when it is set) and train on them with the supervised loss. Replaces the
/// policy-gradient term: no advantages or importance ratios are computed.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RaftAttribute : Attribute
{
    /// <summary>Completions kept per group, the best by reward (ties: the earlier row).</summary>
    public int TopK { get; set; } = 1;

    /// <summary>A kept completion's reward must be at least this; NaN (the default) keeps the TopK whatever they scored.</summary>
    public double Threshold { get; set; } = double.NaN;
}
