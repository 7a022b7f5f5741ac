namespace Rft;

/// <summary>
/// A KL penalty to a frozen reference policy, added to the loss. Without it no reference model is
/// ever built or run.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class KlPenaltyAttribute : Attribute
{
    public KlPenaltyAttribute(double beta) => Beta = beta;

    /// <summary>Coefficient of the KL term.</summary>
    public double Beta { get; }

    /// <summary>Which estimator of the KL to use per token.</summary>
    public KlEstimator Estimator { get; set; } = KlEstimator.K3;
}
