using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// Log-probabilities (and optionally entropies) of target tokens from hidden states and an output projection:
/// fused over chunks of positions (<see cref="FusedLogProbs"/>), so the whole [N, T, V] log-softmax never exists,
/// and the unfused reference computation it must match. The model-level passes are <c>Rft.Training.Forward.PolicyForward</c>.
/// </summary>
public static class TokenLogProbs
{
    /// <summary>Elements of one chunk's [N, t, V] logits.</summary>
    public const long ChunkElements = FusedLogProbs.DefaultChunkElements;

    /// <summary>
    /// Fused projection + log-softmax + gather over chunks of positions (<see cref="FusedLogProbs.Compute"/>):
    /// hidden [N, T, D], weight [V, D], targets [N, T]. Neither pass holds more than a chunk of logits.
    /// </summary>
    /// <param name="chunkElements">Upper bound on the elements of one chunk's logits.</param>
    public static (Tensor LogProbs, Tensor? Entropy) Chunked(Tensor hidden, Tensor weight, Tensor targets, double temperature, bool withEntropy, long chunkElements = ChunkElements)
        => FusedLogProbs.Compute(hidden, weight, targets, temperature, withEntropy, chunkElements);

    /// <summary>
    /// The reference computation <see cref="Chunked"/> must match: the whole [N, T, V] log-softmax at once, left to
    /// autograd. For tests and benchmarks; it holds several [N, T, V] tensors until backward.
    /// </summary>
    public static (Tensor LogProbs, Tensor? Entropy) Unfused(Tensor hidden, Tensor weight, Tensor targets, double temperature, bool withEntropy)
    {
        using var scope = NewDisposeScope();
        var logits = hidden.matmul(weight.t());                                 // [N, T, V]
        if (temperature > 0 && temperature != 1.0) logits = logits / temperature;
        var logSoftmax = logits.log_softmax(-1);
        var logProbs = logSoftmax.gather(-1, targets.unsqueeze(-1)).squeeze(-1);
        var entropy = withEntropy ? -(logSoftmax.exp() * logSoftmax).sum(-1) : null;
        return (logProbs.MoveToOuterDisposeScope(), entropy?.MoveToOuterDisposeScope());
    }
}
