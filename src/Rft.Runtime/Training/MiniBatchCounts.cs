using Rft.Algorithms;

namespace Rft.Training;

/// <summary>A mini-batch's counts, turned into the <see cref="LossAggregationScale"/> its micro-batches aggregate with.</summary>
/// <param name="Tokens">Valid completion tokens of the mini-batch.</param>
/// <param name="Sequences">Rows with at least one valid token.</param>
public readonly record struct MiniBatchCounts(long Tokens, int Sequences)
{
    /// <summary>The scale, with seq-mean-token-sum-norm's constant divisor <paramref name="lossScaleFactor"/> (Dr.GRPO: MaxNewTokens).</summary>
    public LossAggregationScale Scale(double lossScaleFactor) =>
        new(DpSize: 1, BatchNumTokens: Tokens, GlobalBatchSize: Sequences, LossScaleFactor: lossScaleFactor);
}
