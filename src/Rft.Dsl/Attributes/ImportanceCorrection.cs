namespace Rft;

/// <summary>How an update corrects for replayed rows that an older policy sampled (<see cref="ReplayAttribute.Correction"/>).</summary>
public enum ImportanceCorrection
{
    /// <summary>
    /// The importance ratio of a replayed row is taken against the policy that sampled it (its behaviour log-probs), and the
    /// policy loss clips it as usual: the mix-policy proximal objective of ReMix. Fresh rows use the step's old log-probs.
    /// </summary>
    BehaviourRatio,

    /// <summary>
    /// verl's truncated importance sampling (rollout correction): the ratio is against the policy as this update starts
    /// (recomputed for every row), and each token's loss is weighted by <c>min(pi_old / pi_behaviour, TruncationCap)</c>.
    /// </summary>
    TruncatedWeights,
}
