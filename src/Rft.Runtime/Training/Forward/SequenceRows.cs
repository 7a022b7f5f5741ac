using Rft.Rollout;
using static TorchSharp.torch;

namespace Rft.Training.Forward;

/// <summary>
/// Rows of prompts and completions for a training forward: a whole rollout, or the micro-batch of a
/// mini-batch. Prompts are left-padded to <see cref="PromptLength"/>, completions right-padded to
/// <see cref="CompletionLength"/>.
/// </summary>
/// <param name="Sequences">[rows, P + T] long.</param>
/// <param name="AttentionMask">[rows, P + T] bool, true on real tokens.</param>
/// <param name="PositionIds">[rows, P + T] long rotary positions.</param>
public readonly record struct SequenceRows(Tensor Sequences, Tensor AttentionMask, Tensor PositionIds, int PromptLength, int CompletionLength)
{
    public long Rows => Sequences.shape[0];

    /// <summary>The rollout's rows, as views.</summary>
    public static SequenceRows Of(RolloutBatch rollout) =>
        new(rollout.Sequences, rollout.AttentionMask, rollout.PositionIds, rollout.PromptLength, rollout.CompletionLength);

    /// <summary>The rows at <paramref name="index"/> ([rows] long, on the rows' device), copied into the caller's dispose scope.</summary>
    public SequenceRows Select(Tensor index) =>
        new(Sequences.index_select(0, index), AttentionMask.index_select(0, index), PositionIds.index_select(0, index), PromptLength, CompletionLength);

    /// <summary>The completion tokens [rows, T]: the targets of the last T positions' predictions.</summary>
    public Tensor Completions => Sequences.narrow(1, PromptLength, CompletionLength);
}
