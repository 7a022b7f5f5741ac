using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>verl's clipped value loss and its metric.</summary>
/// <param name="VfLoss">Scalar: half the aggregated clipped squared error (with gradient).</param>
/// <param name="ClippedVfLosses">[B, T] <c>max((v - R)², (clip(v) - R)²)</c>.</param>
/// <param name="VfClipfrac">Scalar: masked share of tokens where the clipped error was larger.</param>
public sealed record ValueLossResult(Tensor VfLoss, Tensor ClippedVfLosses, Tensor VfClipfrac);
