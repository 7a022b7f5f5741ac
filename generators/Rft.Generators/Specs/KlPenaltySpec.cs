namespace Rft.Generators.Specs;

/// <summary>[KlPenalty]: <c>Beta * KL(policy || reference)</c> added to the loss, or subtracted from the token rewards.</summary>
/// <param name="Estimator">The <c>Rft.KlEstimator</c> member's name ("K3"), or a number for an undefined value.</param>
/// <param name="Placement">The <c>Rft.KlPlacement</c> member's name ("InLoss"), or a number for an undefined value.</param>
internal sealed record KlPenaltySpec(double Beta, string Estimator, string Placement = "InLoss")
{
    /// <summary>verl's apply_kl_penalty: the KL lowers the rewards before the advantage.</summary>
    public bool InReward => Placement == "InReward";
}
