namespace Rft;

/// <summary>
/// ReMix (Liang et al. 2025, "Squeeze the Soaked Sponge", arXiv:2507.06892) on top of <see cref="ReplayAttribute"/>:
/// the mix-policy proximal policy gradient with <see cref="UpdateToData"/> optimizer steps per rollout over fresh and
/// replayed rows; the KL-convex constraint, the <see cref="KlPenaltyAttribute"/> term taken as
/// <c>KlConvexWeight * KL(pi || base) + (1 - KlConvexWeight) * KL(pi || precedent)</c> with the precedent the policy
/// as the step's update starts; and policy reincarnation: at <see cref="ReincarnationStep"/> the base (reference) model
/// becomes a copy of the current policy and training continues on-policy (no replay, <c>MiniBatches</c> optimizer steps).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ReMixAttribute : Attribute
{
    /// <summary>Optimizer steps per rollout before reincarnation: the mixed rows are split into this many mini-batches each epoch.</summary>
    public int UpdateToData { get; set; } = 2;

    /// <summary>The KL-convex weight of the KL to the base model, in [0, 1]; the rest goes to the KL to the precedent policy.</summary>
    public double KlConvexWeight { get; set; } = 0.5;

    /// <summary>The step at whose start the reference is replaced by the current policy and replay stops; 0 never.</summary>
    public int ReincarnationStep { get; set; }
}
