namespace Rft;

/// <summary>Where an update's old log-probs (the importance ratio's denominator) come from.</summary>
public enum OldLogProbSource
{
    /// <summary>
    /// A forward of the policy over the rollout, without gradients, before the first update (verl's default). With one epoch
    /// of one mini-batch the update starts from the same weights, so that forward is skipped and each micro-batch's own
    /// log-probs, detached, are the old ones (TRL and verl do the same), unless something reads them before the update
    /// (a value head, KL in the reward, replay).
    /// </summary>
    Recompute,

    /// <summary>The log-probs the sampler recorded as it drew each token (verl's <c>use_rollout_log_probs</c>): no extra forward.</summary>
    Behaviour,
}
