namespace Rft.Generators.Specs;

/// <summary>[KlPenalty]: <c>Beta * KL(policy || reference)</c> added to the loss.</summary>
/// <param name="Estimator">The <c>Rft.KlEstimator</c> member's name ("K3"), or a number for an undefined value.</param>
internal sealed record KlPenaltySpec(double Beta, string Estimator);
