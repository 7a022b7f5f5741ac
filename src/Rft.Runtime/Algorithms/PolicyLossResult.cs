using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>A verl policy loss and its metrics.</summary>
/// <param name="PgLoss">Scalar aggregated loss (with gradient).</param>
/// <param name="PgLosses">[B, T] per-token losses before aggregation.</param>
/// <param name="PgClipfrac">Scalar: masked share of tokens where the clipped branch was taken.</param>
/// <param name="PgClipfracLower">Scalar: masked share of negative-advantage tokens hit by the dual clip.</param>
/// <param name="PpoKl">Scalar: masked mean of <c>old_log_prob - log_prob</c> (clamped in vanilla PPO).</param>
public sealed record PolicyLossResult(Tensor PgLoss, Tensor PgLosses, Tensor PgClipfrac, Tensor PgClipfracLower, Tensor PpoKl)
{
    /// <summary>Scalar: the part of <see cref="PgClipfrac"/> on positive-advantage tokens (ratio above 1 + high).</summary>
    public required Tensor PgClipfracHigh { get; init; }

    /// <summary>Scalar: the part of <see cref="PgClipfrac"/> on negative-advantage tokens (ratio below 1 - low).</summary>
    public required Tensor PgClipfracLow { get; init; }
}
