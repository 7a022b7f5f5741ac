namespace Rft.Training;

/// <summary>What <see cref="UpdateMetrics"/> accumulates over an update's micro-batches.</summary>
public enum UpdateMetric
{
    /// <summary>The optimised loss: the sum of a mini-batch's micro-batch losses, averaged over optimizer steps.</summary>
    Loss,

    /// <summary>Token-weighted: share of positive-advantage tokens clipped above.</summary>
    ClipFractionHigh,

    /// <summary>Token-weighted: share of negative-advantage tokens clipped below.</summary>
    ClipFractionLow,

    /// <summary>Token-weighted: approximate KL between the old policy and the policy being updated (verl's <c>ppo_kl</c>).</summary>
    ApproxKl,

    /// <summary>Token-weighted: the KL estimate to the reference policy in the loss.</summary>
    Kl,

    /// <summary>Token-weighted: the policy's entropy over completion tokens.</summary>
    Entropy,
}
