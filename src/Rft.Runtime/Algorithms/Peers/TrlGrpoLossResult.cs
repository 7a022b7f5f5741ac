using static TorchSharp.torch;

namespace Rft.Algorithms.Peers;

/// <summary>TRL's GRPO loss and the metrics it logs.</summary>
/// <param name="Loss">Scalar loss as TRL backpropagates it (already divided by its normaliser).</param>
/// <param name="PerTokenLoss">[B, T] (or [B, 1] for sequence-level ratios without KL) loss before masking.</param>
/// <param name="PerTokenKl">[B, T] k3 estimate (times the ratio with bias correction); null when beta is 0.</param>
/// <param name="Coef1">[B, T] or [B, 1] importance ratio, after the <c>delta</c> cap (TRL reassigns it).</param>
/// <param name="ClipRatioLowMean">Scalar: masked share of ratios below <c>1 - epsilon_low</c> with a negative advantage.</param>
/// <param name="ClipRatioHighMean">Scalar: masked share of ratios above <c>1 + epsilon_high</c> with a positive advantage.</param>
/// <param name="ClipRatioRegionMean">Scalar: masked share of either.</param>
public sealed record TrlGrpoLossResult(Tensor Loss, Tensor PerTokenLoss, Tensor? PerTokenKl, Tensor Coef1, Tensor ClipRatioLowMean, Tensor ClipRatioHighMean, Tensor ClipRatioRegionMean);
