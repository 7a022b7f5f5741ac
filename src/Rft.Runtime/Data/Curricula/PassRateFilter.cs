using MessagePack;

namespace Rft.Data.Curricula;

/// <summary>
/// Pass-rate filtering: draws from the mixture but skips a problem that its recent attempts show to be
/// always solved or never solved, since its groups carry no learning signal. A problem (identified by
/// <c>problemKey</c>) is skipped when it has at least <c>minAttempts</c> attempts among its last
/// <c>window</c> and the mean pass rate over them is exactly 0 or exactly 1; every other problem
/// (new ones, and those with 0 &lt; pass rate &lt; 1) is kept.
/// </summary>
/// <remarks>
/// One <see cref="Draw"/> skips at most <c>maxSkipsPerDraw</c> records; once that budget is spent the
/// next records are kept whatever their history (so a mixture of only solved problems still trains).
/// The history of every problem seen is kept for the run (it grows with the number of distinct problems).
/// Metrics: <c>filter/skipped</c> (records skipped in the last step), <c>filter/tracked</c> (problems
/// with a history) and <c>filter/saturated</c> (tracked problems that would be skipped now).
/// </remarks>
public sealed class PassRateFilter<T> : ICurriculum<T>
{
    private const string Kind = "PassRateFilter";
    private const int Version = 1;
    private static readonly string[] Names = ["filter/skipped", "filter/tracked", "filter/saturated"];

    private readonly Func<T, string> _problemKey;
    private readonly int _window;
    private readonly int _minAttempts;
    private readonly int _maxSkipsPerDraw;
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private readonly List<string> _keys = new();
    private readonly PendingDraws<string> _pending = new();
    private double[] _history;      // slot s's last attempts at [s * window, (s + 1) * window), a ring
    private int[] _counts;
    private int[] _heads;
    private int _skipped, _lastSkipped;

    /// <param name="mixture">Where records come from.</param>
    /// <param name="problemKey">Identifies a problem across draws (its question text, an id).</param>
    /// <param name="window">Recent attempts the pass rate is measured over.</param>
    /// <param name="minAttempts">Attempts needed before a problem can be skipped, in [1, window].</param>
    /// <param name="maxSkipsPerDraw">Records one draw may skip.</param>
    public PassRateFilter(Mixture<T> mixture, Func<T, string> problemKey, int window = 4, int minAttempts = 2, int maxSkipsPerDraw = 1024)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        ArgumentNullException.ThrowIfNull(problemKey);
        CurriculumChecks.Capacity(window, nameof(window));
        if (minAttempts < 1 || minAttempts > window)
            throw new ArgumentOutOfRangeException(nameof(minAttempts), minAttempts, $"minAttempts must be in [1, window = {window}].");
        ArgumentOutOfRangeException.ThrowIfNegative(maxSkipsPerDraw);
        Mixture = mixture;
        _problemKey = problemKey;
        _window = window;
        _minAttempts = minAttempts;
        _maxSkipsPerDraw = maxSkipsPerDraw;
        _history = new double[64 * window];
        _counts = new int[64];
        _heads = new int[64];
    }

    /// <inheritdoc />
    public Mixture<T> Mixture { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> MetricNames => Names;

    /// <summary>Problems with a history.</summary>
    public int Tracked => _keys.Count;

    /// <summary>The mean pass rate over the problem's recent attempts and how many there are (NaN and 0 for an unseen problem).</summary>
    public double RecentPassRate(string problem, out int attempts)
    {
        if (!_slots.TryGetValue(problem, out int slot))
        {
            attempts = 0;
            return double.NaN;
        }

        attempts = _counts[slot];
        return Mean(slot);
    }

    /// <summary>True when the problem would be skipped now: enough attempts, all failed or all solved.</summary>
    public bool IsSaturated(string problem) => _slots.TryGetValue(problem, out int slot) && Saturated(slot);

    /// <inheritdoc />
    public void Draw(Span<T> records, Span<int> sources)
    {
        CurriculumChecks.DrawSpans(records.Length, sources.Length);
        int budget = _maxSkipsPerDraw;
        for (int i = 0; i < records.Length; i++)
        {
            while (true)
            {
                var record = Mixture.Next(out int source);
                string key = _problemKey(record);
                if (budget > 0 && IsSaturated(key))
                {
                    budget--;
                    _skipped++;
                    continue;
                }

                records[i] = record;
                sources[i] = source;
                _pending.Add(key);
                break;
            }
        }
    }

    /// <inheritdoc />
    public void Withdraw(int index) => _pending.RemoveAt(index);

    /// <inheritdoc />
    public void Feedback(ReadOnlySpan<double> passRate, ReadOnlySpan<double> meanAbsAdvantage)
    {
        CurriculumChecks.FeedbackSpans(passRate.Length, meanAbsAdvantage.Length, _pending.Count);
        for (int j = 0; j < _pending.Count; j++)
        {
            if (double.IsNaN(passRate[j])) continue;
            Record(Slot(_pending[j]), passRate[j]);
        }

        _lastSkipped = _skipped;
        _skipped = 0;
        _pending.Clear();
    }

    /// <inheritdoc />
    public void WriteMetrics(Span<double> values)
    {
        CurriculumChecks.MetricSpan(values.Length, Names.Length);
        int saturated = 0;
        for (int slot = 0; slot < _keys.Count; slot++) if (Saturated(slot)) saturated++;
        values[0] = _lastSkipped;
        values[1] = _keys.Count;
        values[2] = saturated;
    }

    /// <inheritdoc />
    public byte[] SaveState() => CheckpointState.Save(Kind, Version, 2, Write);

    /// <inheritdoc />
    public void LoadState(ReadOnlySpan<byte> state)
    {
        long position = 0;
        CheckpointState.Load(state, Kind, Version, 2, (ref reader) => position = Read(ref reader));
        Mixture.FastForward(position);
        _pending.Clear();
        _skipped = 0;
    }

    private void Write(ref MessagePackWriter writer)
    {
        writer.Write(Mixture.Position);
        // Each tracked problem as [key, recent pass rates oldest first], in order of first feedback.
        writer.WriteArrayHeader(_keys.Count);
        for (int slot = 0; slot < _keys.Count; slot++)
        {
            writer.WriteArrayHeader(2);
            writer.Write(_keys[slot]);
            int count = _counts[slot], oldest = count < _window ? 0 : _heads[slot];
            writer.WriteArrayHeader(count);
            for (int i = 0; i < count; i++) writer.Write(_history[slot * _window + (oldest + i) % _window]);
        }
    }

    // Reads the histories and returns the saved mixture position.
    private long Read(ref MessagePackReader reader)
    {
        long position = reader.ReadInt64();
        _slots.Clear();
        _keys.Clear();
        int problems = reader.ReadArrayHeader();
        for (int p = 0; p < problems; p++)
        {
            if (reader.ReadArrayHeader() != 2) throw new FormatException("A tracked problem is saved as [key, pass rates].");
            int slot = Slot(reader.ReadString() ?? throw new FormatException("A tracked problem's key is nil; keys are strings."));
            int count = reader.ReadArrayHeader();
            if (count > _window) throw new FormatException($"The state holds {count} attempts of a problem; this filter's window is {_window}.");
            _counts[slot] = _heads[slot] = 0;
            for (int i = 0; i < count; i++) Record(slot, reader.ReadDouble());
        }

        return position;
    }

    private bool Saturated(int slot)
    {
        if (_counts[slot] < _minAttempts) return false;
        double mean = Mean(slot);
        return mean == 0 || mean == 1;
    }

    private double Mean(int slot)
    {
        int count = _counts[slot];
        if (count == 0) return double.NaN;
        double sum = 0;
        for (int i = 0; i < count; i++) sum += _history[slot * _window + i];
        return sum / count;
    }

    private void Record(int slot, double passRate)
    {
        _history[slot * _window + _heads[slot]] = passRate;
        _heads[slot] = (_heads[slot] + 1) % _window;
        _counts[slot] = Math.Min(_counts[slot] + 1, _window);
    }

    private int Slot(string key)
    {
        if (_slots.TryGetValue(key, out int slot)) return slot;
        slot = _keys.Count;
        if (slot == _counts.Length)
        {
            Array.Resize(ref _counts, slot * 2);
            Array.Resize(ref _heads, slot * 2);
            Array.Resize(ref _history, slot * 2 * _window);
        }

        _slots.Add(key, slot);
        _keys.Add(key);
        _counts[slot] = _heads[slot] = 0;
        return slot;
    }
}
