using Rft.Models;
using Rft.Training;
using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// Supervised cross-entropy on demonstrations as a term mixed into an RL step, with CHORD's optional
/// token weight (Zhang et al. 2025, arXiv:2508.11408, CHORD-phi).
/// </summary>
public static class SupervisedTokenLoss
{
    /// <summary>[rows, L] log-probs of a demonstration batch's labels and the [rows, L] mask of its target tokens.</summary>
    public static (Tensor LogProbs, Tensor Mask) TokenLogProbs(LlamaForCausalLM model, SupervisedBatch batch)
    {
        using var scope = NewDisposeScope();
        var hidden = model.ForwardHidden(batch.InputIds, batch.PositionIds, batch.AttentionMask);   // [R, L, D]
        var (logProbs, _) = Algorithms.TokenLogProbs.Chunked(hidden, model.LmHeadWeight, batch.Labels, temperature: 1.0, withEntropy: false);
        return (logProbs.MoveToOuterDisposeScope(), batch.LossMask.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The weighted mean negative log-likelihood of the target tokens: <c>-sum(w logp mask) / sum(mask)</c> with
    /// <c>w = 1</c>, or with <paramref name="tokenWeight"/> CHORD-phi's <c>w = sg[p (1 - p)]</c>, <c>p = e^logp</c>,
    /// which down-weights tokens the policy already predicts with certainty and those it finds very unlikely.
    /// </summary>
    public static Tensor Loss(LlamaForCausalLM model, SupervisedBatch batch, bool tokenWeight)
    {
        using var scope = NewDisposeScope();
        var (logProbs, mask) = TokenLogProbs(model, batch);
        var tokenLosses = -logProbs;
        if (tokenWeight)
        {
            var probabilities = logProbs.detach().exp();
            tokenLosses = tokenLosses * (probabilities * (1.0 - probabilities));
        }

        var loss = (tokenLosses * mask).sum() / mask.sum().clamp_min(1.0);
        return loss.MoveToOuterDisposeScope();
    }
}
