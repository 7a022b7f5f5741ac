namespace Rft.Algorithms.Peers;

/// <summary>TRL <c>GRPOConfig.importance_sampling_level</c>.</summary>
public enum ImportanceSamplingLevel
{
    /// <summary><c>"token"</c>: one ratio per token.</summary>
    Token,

    /// <summary><c>"sequence"</c>: one ratio per sequence, the exp of the mean token log-ratio (GSPO).</summary>
    Sequence,
}
