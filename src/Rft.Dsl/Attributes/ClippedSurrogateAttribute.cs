namespace Rft;

/// <summary>
/// The policy loss PPO and GRPO use, stated explicitly: the token-level clipped surrogate with an asymmetric
/// clip range and dual clip (verl <c>compute_policy_loss_vanilla</c>). It is the default policy loss; declare
/// it to set <see cref="ClipRatioC"/> or to set the clip range with an estimator other than
/// <see cref="GrpoAttribute"/>. A pipeline declares at most one policy loss.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ClippedSurrogateAttribute : Attribute
{
    /// <summary>The ratio is clipped below at <c>1 - ClipLow</c>.</summary>
    public double ClipLow { get; set; } = 0.2;

    /// <summary>The ratio is clipped above at <c>1 + ClipHigh</c> (DAPO's clip-higher sets it larger).</summary>
    public double ClipHigh { get; set; } = 0.2;

    /// <summary>Dual clip: the loss of a negative-advantage token is at most <c>-A * ClipRatioC</c>; greater than 1.</summary>
    public double ClipRatioC { get; set; } = 3.0;
}
