using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>What verl's advantage estimators return.</summary>
/// <param name="Advantages">[B, T] per-token advantages.</param>
/// <param name="Returns">[B, T] returns (for the outcome estimators that have none, verl returns the advantages again).</param>
public sealed record AdvantagesAndReturns(Tensor Advantages, Tensor Returns);
