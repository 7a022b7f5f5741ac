using Rft.Algorithms;
using Rft.Models;
using static TorchSharp.torch;

namespace Rft.Training.Forward;

/// <summary>
/// The training step's forward passes over rows of prompts and completions: log-probabilities (and entropies)
/// of the completion tokens, and with a value head the value of each completion position, all from one pass of
/// the trunk. The vocabulary projection goes through <see cref="FusedLogProbs"/>, so the [rows, T, V]
/// log-softmax never exists; log-probs, entropies and values are float32 whatever the model's precision.
/// </summary>
public static class PolicyForward
{
    /// <param name="temperature">Logits are divided by it, as at sampling time (0 or 1: unchanged).</param>
    /// <returns>[rows, T] log-probs and, when asked, [rows, T] entropies, in the caller's dispose scope.</returns>
    public static (Tensor LogProbs, Tensor? Entropy) LogProbs(LlamaForCausalLM model, SequenceRows rows, double temperature, bool withEntropy)
    {
        using var scope = NewDisposeScope();
        var predicting = Predicting(model, rows);
        var (logProbs, entropy) = FusedLogProbs.Compute(predicting, model.OutputWeight, rows.Completions, temperature, withEntropy);
        return (logProbs.MoveToOuterDisposeScope(), entropy?.MoveToOuterDisposeScope());
    }

    /// <returns>[rows, T] log-probs, [rows, T] entropies when asked, and [rows, T] values: the value at completion position t
    /// is read from the hidden state that predicts token t, as verl's critic does.</returns>
    public static (Tensor LogProbs, Tensor? Entropy, Tensor Values) LogProbsAndValues(
        LlamaForCausalLM model, ValueHead valueHead, SequenceRows rows, double temperature, bool withEntropy)
    {
        using var scope = NewDisposeScope();
        var predicting = Predicting(model, rows);
        var (logProbs, entropy) = FusedLogProbs.Compute(predicting, model.OutputWeight, rows.Completions, temperature, withEntropy);
        var values = valueHead.forward(predicting.to(ScalarType.Float32));
        return (logProbs.MoveToOuterDisposeScope(), entropy?.MoveToOuterDisposeScope(), values.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// [rows, T] log-probs computed without a graph, <paramref name="microBatchSize"/> rows per forward (0: all at once): the
    /// KL reference's, or the old policy's once per rollout before the first update.
    /// </summary>
    public static Tensor LogProbsWithoutGrad(LlamaForCausalLM model, SequenceRows rows, double temperature, int microBatchSize)
        => WithoutGrad(model, null, rows, temperature, microBatchSize).LogProbs;

    /// <summary>As <see cref="LogProbsWithoutGrad"/>, with the value head's [rows, T] values from the same passes.</summary>
    public static (Tensor LogProbs, Tensor Values) LogProbsAndValuesWithoutGrad(
        LlamaForCausalLM model, ValueHead valueHead, SequenceRows rows, double temperature, int microBatchSize)
    {
        var (logProbs, values) = WithoutGrad(model, valueHead, rows, temperature, microBatchSize);
        return (logProbs, values!);
    }

    private static (Tensor LogProbs, Tensor? Values) WithoutGrad(LlamaForCausalLM model, ValueHead? valueHead, SequenceRows rows, double temperature, int microBatchSize)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        long count = rows.Rows;
        // Zeros: columns past a micro-batch's longest completion are padding, left out of its forward.
        var logProbs = zeros([count, rows.CompletionLength], ScalarType.Float32, rows.Sequences.device);
        var values = valueHead is null ? null : zeros([count, rows.CompletionLength], ScalarType.Float32, rows.Sequences.device);
        long size = microBatchSize <= 0 ? count : microBatchSize;
        for (long start = 0; start < count; start += size)
        {
            using var microScope = NewDisposeScope();
            long length = Math.Min(size, count - start);
            var micro = new SequenceRows(rows.Sequences.narrow(0, start, length), rows.AttentionMask.narrow(0, start, length),
                rows.PositionIds.narrow(0, start, length), rows.PromptLength, rows.CompletionLength).WithoutPaddingColumns();
            var target = logProbs.narrow(0, start, length).narrow(1, 0, micro.CompletionLength);
            if (valueHead is null)
            {
                target.copy_(LogProbs(model, micro, temperature, withEntropy: false).LogProbs);
            }
            else
            {
                var (microLogProbs, _, microValues) = LogProbsAndValues(model, valueHead, micro, temperature, withEntropy: false);
                target.copy_(microLogProbs);
                values!.narrow(0, start, length).narrow(1, 0, micro.CompletionLength).copy_(microValues);
            }
        }

        return (logProbs.MoveToOuterDisposeScope(), values?.MoveToOuterDisposeScope());
    }

    // The hidden state at position i predicts the token at i + 1: positions [P - 1, P + T - 1) predict the completion.
    private static Tensor Predicting(LlamaForCausalLM model, SequenceRows rows) =>
        model.ForwardPredicting(rows.Sequences, rows.PositionIds, rows.AttentionMask, rows.PromptLength, rows.CompletionLength);
}
