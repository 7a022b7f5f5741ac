using Rft.Models;
using Rft.Rollout;
using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// One forward pass of the policy over a rollout that yields what a step with a value head reads: the
/// log-probs of the sampled tokens, their entropies when asked, and the value of each completion position,
/// all from the same hidden states.
/// </summary>
public static class PolicyForward
{
    /// <param name="temperature">Logits are divided by it, as at sampling time (0 or 1: unchanged).</param>
    /// <returns>[N, T] log-probs, [N, T] entropies when asked, and [N, T] values: the value at completion position t is read
    /// from the hidden state that predicts token t, as verl's critic does.</returns>
    public static (Tensor LogProbs, Tensor? Entropy, Tensor Values) Compute(
        LlamaForCausalLM model, ValueHead valueHead, RolloutBatch rollout, double temperature, bool withEntropy)
    {
        using var scope = NewDisposeScope();
        int p = rollout.PromptLength, t = rollout.CompletionLength;
        var hidden = model.ForwardHidden(rollout.Sequences, rollout.PositionIds, rollout.AttentionMask); // [N, P+T, D]
        var predicting = hidden.narrow(1, p - 1, t);                                                   // [N, T, D]
        var targets = rollout.Sequences.narrow(1, p, t);                                               // [N, T]
        var (logProbs, entropy) = TokenLogProbs.Chunked(predicting, model.LmHeadWeight, targets, temperature, withEntropy);
        var values = valueHead.forward(predicting);                                                    // [N, T]
        return (logProbs.MoveToOuterDisposeScope(), entropy?.MoveToOuterDisposeScope(), values.MoveToOuterDisposeScope());
    }
}
