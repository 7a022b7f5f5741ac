using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>The DPO loss of a batch of pairs and its metrics.</summary>
/// <param name="Loss">Scalar: the pairs' summed loss over the normaliser (with gradient).</param>
/// <param name="Losses">[P] each pair's loss (no gradient).</param>
/// <param name="ChosenRewards">[P] the implicit rewards <c>beta (log pi - log ref)</c> of the chosen completions (no gradient).</param>
/// <param name="RejectedRewards">[P] the same of the rejected ones.</param>
/// <param name="Accuracy">Scalar: the share of pairs whose chosen reward exceeds the rejected one.</param>
public sealed record DpoLossResult(Tensor Loss, Tensor Losses, Tensor ChosenRewards, Tensor RejectedRewards, Tensor Accuracy);
