using Rft.Models;
using Rft.Rollout;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// Log-probabilities (and optionally entropies) of a rollout's completion tokens under a model. The
/// vocabulary projection and log-softmax are fused over chunks of completion positions
/// (<see cref="FusedLogProbs"/>), so the whole [N, T, V] log-softmax never exists, in forward or backward.
/// </summary>
public static class TokenLogProbs
{
    /// <summary>Elements of one chunk's [N, t, V] logits.</summary>
    public const long ChunkElements = FusedLogProbs.DefaultChunkElements;

    /// <param name="temperature">Logits are divided by it, as at sampling time (0 or 1: unchanged).</param>
    /// <returns>[N, T] log-probs of the sampled tokens and, when asked, [N, T] entropies.</returns>
    public static (Tensor LogProbs, Tensor? Entropy) Compute(LlamaForCausalLM model, RolloutBatch rollout, double temperature, bool withEntropy)
    {
        using var scope = NewDisposeScope();
        int p = rollout.PromptLength, t = rollout.CompletionLength;
        var hidden = model.ForwardHidden(rollout.Sequences, rollout.PositionIds, rollout.AttentionMask); // [N, P+T, D]
        // The hidden state at position i predicts the token at i + 1.
        var predicting = hidden.narrow(1, p - 1, t);                    // [N, T, D]
        var targets = rollout.Sequences.narrow(1, p, t);                // [N, T]
        var (logProbs, entropy) = Chunked(predicting, model.LmHeadWeight, targets, temperature, withEntropy);
        return (logProbs.MoveToOuterDisposeScope(), entropy?.MoveToOuterDisposeScope());
    }

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
