namespace Rft;

/// <summary>
/// RLOO advantages: each completion's score minus the mean score of the other completions of its prompt
/// (verl <c>compute_rloo_outcome_advantage</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RlooAttribute : AdvantageEstimatorAttribute
{
}
