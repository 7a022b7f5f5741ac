using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>The Reg-GRPO loss and its metrics.</summary>
/// <param name="Loss">Scalar mean squared error between target and predicted advantages (with gradient).</param>
/// <param name="SequenceLosses">[N] per-completion squared errors before averaging (with gradient).</param>
/// <param name="PredictedAdvantages">[N] the group-normalized log-ratios the policy predicts (detached).</param>
/// <param name="LogRatios">[N] sequence log-ratios <c>sum_t (logp - old) mask</c> (detached).</param>
public sealed record RegGrpoLossResult(Tensor Loss, Tensor SequenceLosses, Tensor PredictedAdvantages, Tensor LogRatios);
