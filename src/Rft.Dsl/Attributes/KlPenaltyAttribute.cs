namespace Rft;

/// <summary>
/// A KL penalty to a frozen reference policy, added to the loss or subtracted from the reward
/// (<see cref="Placement"/>). Without it no reference model is ever built or run.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class KlPenaltyAttribute : Attribute
{
    public KlPenaltyAttribute(double beta) => Beta = beta;

    /// <summary>Coefficient of the KL term.</summary>
    public double Beta { get; }

    /// <summary>Which estimator of the KL to use per token.</summary>
    public KlEstimator Estimator { get; set; } = KlEstimator.K3;

    /// <summary>In the loss (the default) or in the reward before the advantage.</summary>
    public KlPlacement Placement { get; set; } = KlPlacement.InLoss;
}
