namespace Rft;

/// <summary>Where an update's old log-probs (the importance ratio's denominator) come from.</summary>
public enum OldLogProbSource
{
    /// <summary>A forward of the policy over the rollout, without gradients, before the first update (verl's default).</summary>
    Recompute,

    /// <summary>The log-probs the sampler recorded as it drew each token (verl's <c>use_rollout_log_probs</c>): no extra forward.</summary>
    Behaviour,
}
