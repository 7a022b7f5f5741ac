using Rft.Training.Forward;
using static TorchSharp.torch;

namespace Rft.Rollout;

/// <summary>
/// One update's rows from <see cref="ReplayBuffer.Mix"/>: the step's <see cref="Fresh"/> rows first, then the
/// <see cref="Replayed"/> rows, laid out at one window (prompts left-padded to the longest of them, completions
/// right-padded to the longest). Per-token tensors are [<see cref="Rows"/>, T] with T that window's completion length.
/// Owned and refilled by its buffer: valid until the next <c>Mix</c>; its tensors belong to the dispose scope of the
/// <c>Mix</c> call.
/// </summary>
public sealed class ReplayMix
{
    private readonly ReplayBuffer _buffer;
    private int[] _rowTokens = [];
    private int _count;

    internal ReplayMix(ReplayBuffer buffer) => _buffer = buffer;

    public int Fresh { get; private set; }

    public int Replayed { get; private set; }

    public int Rows => Fresh + Replayed;

    /// <summary>The replayed rows' mean completion length in tokens (NaN when none was replayed): the whipping effect's measure.</summary>
    public double ReplayedMeanLength
    {
        get
        {
            if (Replayed == 0) return double.NaN;
            long tokens = 0;
            foreach (int count in RowTokens[Fresh..]) tokens += count;
            return (double)tokens / Replayed;
        }
    }

    /// <summary>The mean age in steps of the replayed rows (NaN when none was replayed).</summary>
    public double MeanStaleness { get; private set; }

    /// <summary>Every row's prompt and completion.</summary>
    public SequenceRows Sequences { get; private set; }

    /// <summary>The replayed rows alone: rows [Fresh, Rows) of <see cref="Sequences"/>.</summary>
    public SequenceRows ReplayedSequences { get; private set; }

    /// <summary>[Rows, T] completion mask times sample validity.</summary>
    public Tensor Mask { get; private set; } = null!;

    /// <summary>[Rows, T] advantages: the fresh rows' of this step, the replayed rows' of the step that sampled them.</summary>
    public Tensor Advantages { get; private set; } = null!;

    /// <summary>[Rows, T] the log-probs of the policies that sampled each row (the sampler's).</summary>
    public Tensor Behaviour { get; private set; } = null!;

    /// <summary>[Replayed, T] the replayed rows' behaviour log-probs.</summary>
    public Tensor ReplayedBehaviour { get; private set; } = null!;

    /// <summary>[Rows] each row's reward total.</summary>
    public Tensor Scores { get; private set; } = null!;

    /// <summary>Each row's tokens in the loss, on the host: the update's normalisers.</summary>
    public ReadOnlySpan<int> RowTokens => _rowTokens.AsSpan(0, _count);

    /// <summary>
    /// [Rows, T]: a per-token quantity of the fresh rows ([Fresh, T'] with T' &lt;= T, right-padded with zeros) followed by
    /// the replayed rows' ([Replayed, T]; null only when nothing was replayed).
    /// </summary>
    public Tensor Join(Tensor fresh, Tensor? replayed)
    {
        if (fresh.shape[0] != Fresh) throw new ArgumentException($"{fresh.shape[0]} fresh rows given; the mix has {Fresh}.", nameof(fresh));
        long t = Mask.shape[1];
        var padded = Repad(fresh, 0, (int)(t - fresh.shape[1]), 0);
        if (Replayed == 0) return padded.alias();
        if (replayed is null || replayed.shape[0] != Replayed || replayed.shape[1] != t)
            throw new ArgumentException($"The replayed part must be [{Replayed}, {t}].", nameof(replayed));
        return cat([padded, replayed.to(padded.dtype)], 0);
    }

    internal void Fill(RolloutBatch fresh, Tensor freshMask, Tensor freshAdvantages, Tensor freshScores, ReadOnlySpan<int> replayedSlots,
        ReadOnlySpan<int> rowTokens, int promptLength, int completionLength, double meanStaleness)
    {
        Fresh = fresh.Rows;
        Replayed = replayedSlots.Length;
        MeanStaleness = meanStaleness;
        if (_rowTokens.Length < rowTokens.Length) _rowTokens = new int[_buffer.MaxFreshRows + _buffer.MaxReplayedRows];
        rowTokens.CopyTo(_rowTokens);
        _count = rowTokens.Length;

        // The fresh rows straight from the rollout, re-padded to the mix's window; the replayed rows from the storage.
        int p = fresh.PromptLength, t = fresh.CompletionLength;
        var freshRows = new SequenceRows(
            Repad(fresh.Sequences, promptLength - p, completionLength - t, _buffer.PadId),
            Repad(fresh.AttentionMask, promptLength - p, completionLength - t, 0),
            Repad(fresh.PositionIds, promptLength - p, completionLength - t, 0),
            promptLength, completionLength);
        var freshPerToken = (Mask: Right(freshMask, completionLength), Behaviour: Right(fresh.LogProbs, completionLength), Advantages: Right(freshAdvantages, completionLength));
        if (Replayed == 0)
        {
            Sequences = freshRows;
            Mask = freshPerToken.Mask;
            Behaviour = freshPerToken.Behaviour;
            Advantages = freshPerToken.Advantages;
            Scores = freshScores.alias();
            ReplayedBehaviour = Behaviour.narrow(0, Fresh, 0);
            ReplayedSequences = Narrow(Sequences, Fresh, 0);
            return;
        }

        var replayed = _buffer.Gather(replayedSlots, promptLength, completionLength);
        Sequences = new SequenceRows(
            cat([freshRows.Sequences, replayed.Rows.Sequences], 0),
            cat([freshRows.AttentionMask, replayed.Rows.AttentionMask], 0),
            cat([freshRows.PositionIds, replayed.Rows.PositionIds], 0),
            promptLength, completionLength);
        Mask = cat([freshPerToken.Mask.to(ScalarType.Float32), replayed.Mask], 0);
        Behaviour = cat([freshPerToken.Behaviour, replayed.Behaviour], 0);
        Advantages = cat([freshPerToken.Advantages.to(ScalarType.Float32), replayed.Advantages], 0);
        Scores = cat([freshScores.to(ScalarType.Float32), replayed.Scores], 0);
        ReplayedBehaviour = replayed.Behaviour;
        ReplayedSequences = replayed.Rows;
    }

    private static SequenceRows Narrow(SequenceRows rows, long start, long count) =>
        new(rows.Sequences.narrow(0, start, count), rows.AttentionMask.narrow(0, start, count), rows.PositionIds.narrow(0, start, count),
            rows.PromptLength, rows.CompletionLength);

    // [N, P + T] to [N, P + left + T + right]: padding columns on both sides.
    private static Tensor Repad(Tensor rows, int left, int right, long value)
    {
        if (left == 0 && right == 0) return rows.alias();
        var padded = full([rows.shape[0], rows.shape[1] + left + right], value, rows.dtype, rows.device);
        padded.narrow(1, left, rows.shape[1]).copy_(rows);
        return padded;
    }

    private static Tensor Right(Tensor perToken, int completionLength) => Repad(perToken, 0, completionLength - (int)perToken.shape[1], 0);
}
