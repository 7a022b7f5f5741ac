using Rft.Models;
using Rft.Rollout;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// Log-probabilities (and optionally entropies) of a rollout's completion tokens under a model. The
/// vocabulary projection and log-softmax run over chunks of completion positions, so the whole
/// [N, T, V] log-softmax never exists at once.
/// </summary>
public static class TokenLogProbs
{
    /// <summary>Elements of one chunk's [N, t, V] logits.</summary>
    public const long ChunkElements = 1L << 22;

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

    /// <summary>Chunked projection + log-softmax + gather: hidden [N, T, D], weight [V, D], targets [N, T].</summary>
    /// <param name="chunkElements">Upper bound on the elements of one chunk's logits.</param>
    public static (Tensor LogProbs, Tensor? Entropy) Chunked(Tensor hidden, Tensor weight, Tensor targets, double temperature, bool withEntropy, long chunkElements = ChunkElements)
    {
        using var scope = NewDisposeScope();
        long n = hidden.shape[0], t = hidden.shape[1], v = weight.shape[0];
        long chunk = Math.Max(1, Math.Min(t, chunkElements / Math.Max(1, n * v)));
        var logProbParts = new List<Tensor>();
        var entropyParts = withEntropy ? new List<Tensor>() : null;
        bool scale = temperature > 0 && temperature != 1.0;
        for (long start = 0; start < t; start += chunk)
        {
            long length = Math.Min(chunk, t - start);
            var logits = hidden.narrow(1, start, length).matmul(weight.t());   // [N, c, V]
            if (scale) logits = logits / temperature;
            var logSoftmax = logits.log_softmax(-1);
            logProbParts.Add(logSoftmax.gather(-1, targets.narrow(1, start, length).unsqueeze(-1)).squeeze(-1));
            entropyParts?.Add(-(logSoftmax.exp() * logSoftmax).sum(-1));
        }

        var result = logProbParts.Count == 1 ? logProbParts[0] : cat(logProbParts, 1);
        var entropy = entropyParts is null ? null : entropyParts.Count == 1 ? entropyParts[0] : cat(entropyParts, 1);
        return (result.MoveToOuterDisposeScope(), entropy?.MoveToOuterDisposeScope());
    }
}
