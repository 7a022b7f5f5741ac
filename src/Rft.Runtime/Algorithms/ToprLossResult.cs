using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>The TOPR loss and its metrics.</summary>
/// <param name="Loss">Scalar aggregated loss (with gradient).</param>
/// <param name="TokenLosses">[B, T] <c>-sg(alpha) * R * logp</c> before aggregation.</param>
/// <param name="AvgAlpha">Scalar: masked mean of the taper weight alpha.</param>
/// <param name="AvgRatio">Scalar: masked mean of the untruncated ratio.</param>
public sealed record ToprLossResult(Tensor Loss, Tensor TokenLosses, Tensor AvgAlpha, Tensor AvgRatio);
