namespace Rft;

/// <summary>
/// PPO's generalised advantage estimation from a learned value (verl <c>compute_gae_advantage_return</c>).
/// Needs <see cref="ValueHeadAttribute"/>: the values come from a head on the policy's last hidden state.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GaeAttribute : AdvantageEstimatorAttribute
{
    /// <summary>Discount; in [0, 1].</summary>
    public double Gamma { get; set; } = 1.0;

    /// <summary>GAE's lambda; in [0, 1].</summary>
    public double Lambda { get; set; } = 1.0;
}
