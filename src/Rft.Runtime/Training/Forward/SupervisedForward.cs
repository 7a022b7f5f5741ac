using Rft.Algorithms;
using Rft.Models;
using static TorchSharp.torch;

namespace Rft.Training.Forward;

/// <summary>The forward pass of supervised cross-entropy: the log-probs of a demonstration batch's labels.</summary>
public static class SupervisedForward
{
    /// <returns>[rows, L] float32 log-probs of the labels, in the caller's dispose scope (the rows' <see cref="SupervisedRows.LossMask"/> says which count).</returns>
    public static Tensor LabelLogProbs(LlamaForCausalLM model, SupervisedRows rows)
    {
        using var scope = NewDisposeScope();
        var hidden = model.ForwardHidden(rows.InputIds, rows.PositionIds, rows.AttentionMask);   // [R, L, D]
        var (logProbs, _) = FusedLogProbs.Compute(hidden, model.OutputWeight, rows.Labels, temperature: 1.0, withEntropy: false);
        return logProbs.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The mean negative log-likelihood of the rows' target tokens (<see cref="SupervisedLoss.NegativeLogLikelihood"/>), divided by
    /// <paramref name="tokenCount"/> when given (the whole batch's target tokens, so that micro-batch losses sum to the batch's).
    /// </summary>
    public static Tensor Loss(LlamaForCausalLM model, SupervisedRows rows, bool tokenWeight = false, double? tokenCount = null)
    {
        using var scope = NewDisposeScope();
        var logProbs = LabelLogProbs(model, rows);
        return SupervisedLoss.NegativeLogLikelihood(logProbs, rows.LossMask, tokenWeight, tokenCount).MoveToOuterDisposeScope();
    }
}
