using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>Categorical entropy of the policy, as verl computes it.</summary>
public static class Entropy
{
    /// <summary>
    /// verl <c>entropy_from_logits</c> (<c>verl/utils/torch_functional.py</c>):
    /// <c>logsumexp(logits) - sum(softmax(logits) * logits)</c> over the last dimension.
    /// </summary>
    /// <param name="logits">[..., V] unnormalised logits.</param>
    /// <returns>[...] entropies in nats.</returns>
    public static Tensor FromLogits(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var probabilities = nn.functional.softmax(logits, -1);
        var entropy = logits.logsumexp(-1) - (probabilities * logits).sum(-1);
        return entropy.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// verl <c>compute_entropy_loss</c>: the per-token entropy aggregated under the mask with
    /// <see cref="LossAggregation"/> (local counts).
    /// </summary>
    /// <param name="logits">[B, T, V].</param>
    /// <param name="responseMask">[B, T].</param>
    /// <returns>The aggregated entropy and the [B, T] token entropies.</returns>
    public static (Tensor EntropyLoss, Tensor TokenEntropy) Loss(Tensor logits, Tensor responseMask, LossAggregationMode mode = LossAggregationMode.TokenMean)
    {
        using var scope = NewDisposeScope();
        var tokenEntropy = FromLogits(logits);
        var loss = LossAggregation.Aggregate(tokenEntropy, responseMask, mode);
        return (loss.MoveToOuterDisposeScope(), tokenEntropy.MoveToOuterDisposeScope());
    }
}
