using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// Log-probabilities of target tokens (and optionally the entropies) straight from hidden states and the output
/// projection, fused so the [N, T, V] logits never exist whole: forward and backward both walk chunks of positions,
/// and backward recomputes each chunk's logits instead of keeping them. Values and gradients equal those of the
/// unfused <c>log_softmax(h Wᵀ / τ)</c> computation (<see cref="TokenLogProbs.Unfused"/>) up to rounding; peak extra
/// memory is a few chunks of [N, c, V] plus [N, T] vectors.
/// </summary>
public static class FusedLogProbs
{
    /// <summary>Default bound on the elements of one chunk's [N, c, V] logits (16 MiB in float32).</summary>
    public const long DefaultChunkElements = 1L << 22;

    /// <param name="hidden">[N, T, D] hidden states; position t predicts <paramref name="targets"/>[:, t].</param>
    /// <param name="weight">[V, D] output projection.</param>
    /// <param name="targets">[N, T] long token ids in [0, V).</param>
    /// <param name="temperature">Logits are divided by it, as at sampling time (0 or 1: unchanged).</param>
    /// <param name="withEntropy">Also return the entropy of each position's distribution.</param>
    /// <param name="chunkElements">Upper bound on the elements of one chunk's logits (at least one position per chunk).</param>
    /// <returns>[N, T] log-probs of the targets and, when asked, [N, T] entropies; both differentiable with respect to
    /// <paramref name="hidden"/> and <paramref name="weight"/>.</returns>
    /// <exception cref="ArgumentException">Shapes that do not line up; the message names the argument.</exception>
    public static (Tensor LogProbs, Tensor? Entropy) Compute(Tensor hidden, Tensor weight, Tensor targets, double temperature, bool withEntropy, long chunkElements = DefaultChunkElements)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(targets);
        if (hidden.dim() != 3) throw new ArgumentException($"hidden must be [N, T, D]; got [{string.Join(", ", hidden.shape)}].", nameof(hidden));
        if (weight.dim() != 2 || weight.shape[1] != hidden.shape[2])
            throw new ArgumentException($"weight must be [V, {hidden.shape[2]}] to match hidden; got [{string.Join(", ", weight.shape)}].", nameof(weight));
        if (targets.dim() != 2 || targets.shape[0] != hidden.shape[0] || targets.shape[1] != hidden.shape[1])
            throw new ArgumentException($"targets must be [{hidden.shape[0]}, {hidden.shape[1]}] to match hidden; got [{string.Join(", ", targets.shape)}].", nameof(targets));

        long n = hidden.shape[0], t = hidden.shape[1], v = weight.shape[0];
        long chunk = Math.Max(1, Math.Min(Math.Max(t, 1), chunkElements / Math.Max(1, n * v)));
        var outputs = FusedLogProbFunction.apply(hidden, weight, targets, temperature, withEntropy, chunk);
        return (outputs[0], withEntropy ? outputs[1] : null);
    }
}
