namespace Rft;

/// <summary>
/// GSPO's policy loss (Zheng et al. 2025): one importance ratio per sequence, the geometric mean of its
/// token ratios, clipped (verl <c>compute_policy_loss_gspo</c>). As in verl it always aggregates by
/// seq-mean-token-mean. A pipeline declares at most one policy loss.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GspoAttribute : Attribute
{
    /// <summary>The sequence ratio is clipped below at <c>1 - ClipLow</c> (the paper's 3e-4).</summary>
    public double ClipLow { get; set; } = 3e-4;

    /// <summary>The sequence ratio is clipped above at <c>1 + ClipHigh</c> (the paper's 4e-4).</summary>
    public double ClipHigh { get; set; } = 4e-4;
}
