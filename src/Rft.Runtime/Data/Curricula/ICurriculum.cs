namespace Rft.Data.Curricula;

/// <summary>
/// Decides which records a training step learns from, drawing them from a <see cref="Mixture{T}"/> and
/// steered by the learning signal of earlier steps. The trainer drives it in a fixed cycle:
/// <see cref="Draw"/> (once, or several times when dynamic sampling draws more), roll out and score,
/// <see cref="Feedback"/> with one value per record drawn since the previous feedback, then
/// <see cref="WriteMetrics"/>; <see cref="SaveState"/> between steps.
/// </summary>
/// <remarks>
/// Resuming: build the mixture and the curriculum afresh from the same seeds and arguments, then
/// <see cref="LoadState"/>. The state holds the mixture's position and the positions of any records the
/// curriculum holds back; loading replays the mixture to that position, so the resumed run draws exactly
/// the records an uninterrupted run would have. Draws not yet fed back are not part of the state.
/// Draw, Feedback and WriteMetrics allocate nothing in steady state.
/// </remarks>
public interface ICurriculum<T>
{
    /// <summary>The mixture records are drawn from.</summary>
    Mixture<T> Mixture { get; }

    /// <summary>Names of the values <see cref="WriteMetrics"/> writes, fixed at construction.</summary>
    IReadOnlyList<string> MetricNames { get; }

    /// <summary>Fills <paramref name="records"/> with the next records and <paramref name="sources"/> with the index of the mixture source each came from.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    void Draw(Span<T> records, Span<int> sources);

    /// <summary>
    /// A record drawn since the previous feedback will not be used (its prompt did not fit, see
    /// <c>Rft.OverlongPrompts.Skip</c>): it gets no feedback, so the next <see cref="Feedback"/> expects one value
    /// fewer, and the records drawn after it move up one place in the feedback's order. Its mixture position stays spent.
    /// </summary>
    /// <param name="index">Its place among the records drawn since the previous feedback and not withdrawn, 0-based.</param>
    /// <exception cref="ArgumentOutOfRangeException">No such record.</exception>
    void Withdraw(int index);

    /// <summary>
    /// The learning signal of every record drawn since the previous call, in draw order: the share of
    /// its completions that were correct, and the mean absolute advantage over its completions.
    /// </summary>
    /// <exception cref="ArgumentException">The spans' length is not the number of records drawn since the previous feedback.</exception>
    void Feedback(ReadOnlySpan<double> passRate, ReadOnlySpan<double> meanAbsAdvantage);

    /// <summary>Writes the current values of <see cref="MetricNames"/>, in that order (NaN where not yet defined).</summary>
    void WriteMetrics(Span<double> values);

    /// <summary>The state to checkpoint, as MessagePack.</summary>
    byte[] SaveState();

    /// <summary>Restores a state saved by the same kind of curriculum; the mixture must not be past the saved position.</summary>
    /// <exception cref="FormatException">The bytes are not a state of this kind of curriculum.</exception>
    void LoadState(ReadOnlySpan<byte> state);
}
