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

    /// <summary>
    /// These rows without the columns that are padding in all of them: the leading prompt columns no row uses and the
    /// completion columns after the longest completion (at least one is kept). Prompts are left-padded and completions
    /// right-padded, so the columns in use are a suffix of the prompt and a prefix of the completion, and counting them
    /// (one read of two numbers) is enough. Views, no copy; the same rows when nothing is padding everywhere.
    /// </summary>
    public SequenceRows WithoutPaddingColumns()
    {
        int p = PromptLength, t = CompletionLength;
        if (p == 0 || t == 0) return this;
        int drop, keep;
        using (var scope = NewDisposeScope())
        {
            var used = AttentionMask.any(0);                                                                 // [P + T]
            var counts = stack([used.narrow(0, 0, p).sum(), used.narrow(0, p, t).sum()]).cpu().data<long>(); // the one read
            drop = (int)Math.Min(p - counts[0], p - 1);
            keep = (int)Math.Max(1, counts[1]);
        }

        if (drop == 0 && keep == t) return this;
        int length = p - drop + keep;
        return new SequenceRows(Sequences.narrow(1, drop, length), AttentionMask.narrow(1, drop, length), PositionIds.narrow(1, drop, length), p - drop, keep);
    }

    /// <summary>The completion tokens [rows, T]: the targets of the last T positions' predictions.</summary>
    public Tensor Completions => Sequences.narrow(1, PromptLength, CompletionLength);
}
