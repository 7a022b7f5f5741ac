namespace Rft;

/// <summary>
/// REINFORCE++ advantages: the discounted return of each token, whitened over the batch
/// (verl <c>compute_reinforce_plus_plus_outcome_advantage</c>); with <see cref="GroupBaseline"/>, the score
/// minus its group's mean, whitened (<c>compute_reinforce_plus_plus_baseline_outcome_advantage</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ReinforcePlusPlusAttribute : AdvantageEstimatorAttribute
{
    /// <summary>Discount of the return; in [0, 1].</summary>
    public double Gamma { get; set; } = 1.0;

    /// <summary>Subtract the group's mean score instead of discounting (REINFORCE++-baseline).</summary>
    public bool GroupBaseline { get; set; }
}
