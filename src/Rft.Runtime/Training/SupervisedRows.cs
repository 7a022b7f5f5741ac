using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// Rows of a <see cref="SupervisedBatch"/>, all [rows, L]: the whole batch or a micro-batch of it.
/// </summary>
/// <param name="InputIds">Token ids (BOS, prompt, target), right-padded.</param>
/// <param name="Labels">Next-token labels (prompt, target, EOS).</param>
/// <param name="LossMask">1 where the label belongs to the target or is the EOS.</param>
/// <param name="AttentionMask">True on real tokens.</param>
/// <param name="PositionIds">Positions from 0 at BOS.</param>
public readonly record struct SupervisedRows(Tensor InputIds, Tensor Labels, Tensor LossMask, Tensor AttentionMask, Tensor PositionIds)
{
    public long Rows => InputIds.shape[0];

    /// <summary>Rows [<paramref name="start"/>, +<paramref name="count"/>) as views.</summary>
    public SupervisedRows Narrow(long start, long count) =>
        new(InputIds.narrow(0, start, count), Labels.narrow(0, start, count), LossMask.narrow(0, start, count),
            AttentionMask.narrow(0, start, count), PositionIds.narrow(0, start, count));

    /// <summary>The rows at <paramref name="index"/> ([rows] long, on the batch's device), copied into the caller's dispose scope.</summary>
    public SupervisedRows Select(Tensor index) =>
        new(InputIds.index_select(0, index), Labels.index_select(0, index), LossMask.index_select(0, index),
            AttentionMask.index_select(0, index), PositionIds.index_select(0, index));
}
