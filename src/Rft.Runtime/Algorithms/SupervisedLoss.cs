using Rft.Models;
using Rft.Training;
using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>Supervised fine-tuning losses.</summary>
public static class SupervisedLoss
{
    /// <summary>Mean negative log-likelihood of the target tokens (and EOS) of a demonstration batch.</summary>
    public static Tensor CrossEntropy(LlamaForCausalLM model, SupervisedBatch batch)
    {
        using var scope = NewDisposeScope();
        var hidden = model.ForwardHidden(batch.InputIds, batch.PositionIds, batch.AttentionMask);   // [R, L, D]
        var (logProbs, _) = TokenLogProbs.Chunked(hidden, model.LmHeadWeight, batch.Labels, temperature: 1.0, withEntropy: false);
        var mask = batch.LossMask;
        var loss = -(logProbs * mask).sum() / mask.sum().clamp_min(1.0);
        return loss.MoveToOuterDisposeScope();
    }
}
