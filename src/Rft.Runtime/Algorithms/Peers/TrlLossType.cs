namespace Rft.Algorithms.Peers;

/// <summary>TRL <c>GRPOConfig.loss_type</c> values implemented here (all share the clipped surrogate).</summary>
public enum TrlLossType
{
    /// <summary><c>"grpo"</c>: per-sequence token mean, then the batch mean, divided by the accumulation steps.</summary>
    Grpo,

    /// <summary><c>"bnpo"</c>: the token mean over the local batch, divided by the accumulation steps.</summary>
    Bnpo,

    /// <summary><c>"dr_grpo"</c>: the token sum divided by <c>B * max_completion_length</c> and the accumulation steps.</summary>
    DrGrpo,

    /// <summary><c>"dapo"</c>: the token sum divided by the global token count per process.</summary>
    Dapo,
}
