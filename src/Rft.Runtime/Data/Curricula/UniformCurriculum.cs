namespace Rft.Data.Curricula;

/// <summary>
/// No curriculum: each record is the mixture's next draw, whatever the learning signal. Metrics:
/// <c>uniform/drawn</c>, the records drawn in the last step, and <c>uniform/position</c>, the mixture's position.
/// </summary>
public sealed class UniformCurriculum<T> : ICurriculum<T>
{
    private const string Kind = "UniformCurriculum";
    private const int Version = 1;
    private static readonly string[] Names = ["uniform/drawn", "uniform/position"];

    private int _pending;
    private int _lastDrawn;

    public UniformCurriculum(Mixture<T> mixture)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        Mixture = mixture;
    }

    /// <inheritdoc />
    public Mixture<T> Mixture { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> MetricNames => Names;

    /// <inheritdoc />
    public void Draw(Span<T> records, Span<int> sources)
    {
        CurriculumChecks.DrawSpans(records.Length, sources.Length);
        for (int i = 0; i < records.Length; i++) records[i] = Mixture.Next(out sources[i]);
        _pending += records.Length;
    }

    /// <inheritdoc />
    public void Withdraw(int index)
    {
        CurriculumChecks.Withdrawn(index, _pending);
        _pending--;
    }

    /// <inheritdoc />
    public void Feedback(ReadOnlySpan<double> passRate, ReadOnlySpan<double> meanAbsAdvantage)
    {
        CurriculumChecks.FeedbackSpans(passRate.Length, meanAbsAdvantage.Length, _pending);
        _lastDrawn = _pending;
        _pending = 0;
    }

    /// <inheritdoc />
    public void WriteMetrics(Span<double> values)
    {
        CurriculumChecks.MetricSpan(values.Length, Names.Length);
        values[0] = _lastDrawn;
        values[1] = Mixture.Position;
    }

    /// <inheritdoc />
    public byte[] SaveState() => CheckpointState.Save(Kind, Version, 1, (ref writer) => writer.Write(Mixture.Position));

    /// <inheritdoc />
    public void LoadState(ReadOnlySpan<byte> state)
    {
        long position = 0;
        CheckpointState.Load(state, Kind, Version, 1, (ref reader) => position = reader.ReadInt64());
        Mixture.FastForward(position);
        _pending = 0;
    }
}
