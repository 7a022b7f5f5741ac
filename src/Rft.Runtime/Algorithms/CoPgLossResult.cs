using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>The CoPG loss and its metrics.</summary>
/// <param name="Loss">Scalar loss to minimize: minus the mean over groups of the CoPG objective (with gradient).</param>
/// <param name="LogRatios">[N] sequence log-ratios <c>u = sum_t (logp - ref) mask</c> (detached).</param>
/// <param name="RegularizedRewards">[N] <c>R - beta u</c>, the KL-regularized rewards (detached).</param>
/// <param name="ContrastiveAdvantages">[N] <c>R^β_i - mean_{j≠i} R^β_j</c>: minus the loss gradient with respect to
/// <c>u_i</c>, times the number of groups (detached).</param>
public sealed record CoPgLossResult(Tensor Loss, Tensor LogRatios, Tensor RegularizedRewards, Tensor ContrastiveAdvantages);
