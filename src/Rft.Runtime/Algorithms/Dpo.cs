using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// Direct preference optimisation (Rafailov et al. 2023, arXiv:2305.18290) with the sigmoid loss, as TRL's
/// <c>DPOTrainer</c> defines it without label smoothing: for each pair,
/// <c>-log sigmoid(beta ((log pi(y_w) - log ref(y_w)) - (log pi(y_l) - log ref(y_l))))</c>, where the log-probs are
/// summed over each completion's tokens.
/// </summary>
public static class Dpo
{
    /// <summary>Each row's sequence log-prob, <c>sum_t logp * mask</c>, [B].</summary>
    public static Tensor SequenceLogProbs(Tensor logProbs, Tensor mask)
    {
        using var scope = NewDisposeScope();
        return (logProbs * mask.to_type(logProbs.dtype)).sum(-1).MoveToOuterDisposeScope();
    }

    /// <param name="chosen">[P] the policy's sequence log-probs of the preferred completions (with gradient).</param>
    /// <param name="rejected">[P] of the dispreferred ones.</param>
    /// <param name="referenceChosen">[P] the frozen reference's, of the preferred completions.</param>
    /// <param name="referenceRejected">[P] of the dispreferred ones.</param>
    /// <param name="pairCount">The normaliser: the pairs of the whole batch when these are a micro-batch of it; null: P.</param>
    public static DpoLossResult Loss(Tensor chosen, Tensor rejected, Tensor referenceChosen, Tensor referenceRejected, double beta, double? pairCount = null)
    {
        if (!(beta > 0) || double.IsInfinity(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "DPO's beta must be a positive finite number.");
        using var scope = NewDisposeScope();
        var chosenRatio = chosen - referenceChosen;
        var rejectedRatio = rejected - referenceRejected;
        var losses = -nn.functional.logsigmoid(beta * (chosenRatio - rejectedRatio));
        double pairs = pairCount ?? Math.Max(1, chosen.shape[0]);
        var loss = losses.sum() / pairs;
        var chosenRewards = (beta * chosenRatio).detach();
        var rejectedRewards = (beta * rejectedRatio).detach();
        var accuracy = chosenRewards.gt(rejectedRewards).to_type(chosen.dtype).mean();
        return new DpoLossResult(loss.MoveToOuterDisposeScope(), losses.detach().MoveToOuterDisposeScope(), chosenRewards.MoveToOuterDisposeScope(), rejectedRewards.MoveToOuterDisposeScope(),
            accuracy.MoveToOuterDisposeScope());
    }
}
