namespace Rft;

/// <summary>
/// TOPR's policy loss (Le Roux et al. 2025): REINFORCE on the advantages, with the importance ratio truncated
/// to [0, 1] for samples whose advantage is at most <see cref="Threshold"/>. A pipeline declares at most one
/// policy loss.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ToprAttribute : Attribute
{
    /// <summary>Samples with an advantage at most this get the tapered weight.</summary>
    public double Threshold { get; set; }
}
