using MessagePack;

namespace Rft.Data.Curricula;

/// <summary>
/// Staged difficulty (Curr-ReFT, Deng et al. 2025, arXiv:2503.07065): the stages are the values of
/// <c>stageKey</c> in ascending order (numbers numerically, texts ordinally), easiest first. Every record of a step comes from the current
/// stage; the curriculum moves to the next stage once the accuracy (mean pass rate) over the current
/// stage's last <c>window</c> records reaches <c>threshold</c>, and then never goes back.
/// </summary>
/// <remarks>
/// Stage values are discovered from the records drawn: the first <see cref="Draw"/> first draws
/// <c>discoveryDraws</c> records into the queues and starts at the lowest value among them; a later
/// advance goes to the lowest value above the current one seen so far (with none seen, the current
/// stage goes on until one is). Records of later stages drawn meanwhile wait in a FIFO queue per stage
/// (at most <c>queueCapacity</c> each, the rest dropped); records of passed stages, and of a value
/// discovered below the current stage, are dropped. When <c>maxSearch</c> mixture draws bring no record
/// of the current stage, the last one drawn is used instead (counted in <c>staged/fallbacks</c>).
/// Metrics: the current stage, as <c>staged/stage</c> (its key's number; NaN for a text key) or, with
/// <c>keyNames</c> (an enum's members), as <c>staged/stage/{name}</c> (1 for the current stage, 0 for the
/// others); then <c>staged/advances</c>, <c>staged/accuracy</c>
/// (mean pass rate over the window so far, NaN when empty), and for the last step
/// <c>staged/skipped</c> (records drawn and dropped) and <c>staged/fallbacks</c>.
/// </remarks>
public sealed class StagedCurriculum<T> : ICurriculum<T>
{
    private const string Kind = "StagedCurriculum";
    private const int Version = 1;
    private static readonly string[] Counters = ["staged/advances", "staged/accuracy", "staged/skipped", "staged/fallbacks"];

    private readonly string[] _names;
    private readonly CurriculumKey[]? _namedKeys;
    private readonly Func<T, CurriculumKey> _stageKey;
    private readonly KeyedQueues<T> _queues;
    private readonly int _discoveryDraws;
    private readonly int _maxSearch;
    private readonly double[] _window;
    private readonly PendingDraws<CurriculumKey> _pending = new();
    private bool _started;
    private CurriculumKey _stage;
    private int _advances;
    private int _windowCount;
    private int _windowHead;
    private int _skipped, _lastSkipped;
    private int _fallbacks, _lastFallbacks;

    /// <param name="mixture">Where records come from.</param>
    /// <param name="stageKey">A record's stage; lower is easier.</param>
    /// <param name="threshold">Accuracy over the window that passes a stage, in [0, 1].</param>
    /// <param name="window">Records of the current stage the accuracy is measured over; a stage is never passed on fewer.</param>
    /// <param name="discoveryDraws">Records drawn at the start to find the lowest stage.</param>
    /// <param name="queueCapacity">Records held back per later stage.</param>
    /// <param name="maxSearch">Mixture draws spent looking for a record of the current stage before falling back.</param>
    /// <param name="keyNames">Stages known in advance with their names (<see cref="CurriculumKey.NamesOf{TEnum}"/>): the current stage is reported by name.</param>
    public StagedCurriculum(Mixture<T> mixture, Func<T, CurriculumKey> stageKey, double threshold, int window,
        int discoveryDraws = 256, int queueCapacity = 1024, int maxSearch = 4096, IReadOnlyList<(CurriculumKey Key, string Name)>? keyNames = null)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        ArgumentNullException.ThrowIfNull(stageKey);
        if (!(threshold >= 0 && threshold <= 1)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The accuracy threshold must be in [0, 1].");
        CurriculumChecks.Capacity(window, nameof(window));
        CurriculumChecks.Capacity(discoveryDraws, nameof(discoveryDraws));
        CurriculumChecks.Capacity(queueCapacity, nameof(queueCapacity));
        CurriculumChecks.Capacity(maxSearch, nameof(maxSearch));
        Mixture = mixture;
        Threshold = threshold;
        _stageKey = stageKey;
        _queues = new KeyedQueues<T>(mixture, stageKey, queueCapacity);
        _discoveryDraws = discoveryDraws;
        _maxSearch = maxSearch;
        _window = new double[window];
        if (keyNames is null)
        {
            _names = ["staged/stage", .. Counters];
        }
        else
        {
            CurriculumChecks.KeyNames(keyNames);
            _namedKeys = keyNames.Select(k => k.Key).ToArray();
            _names = [.. keyNames.Select(k => $"staged/stage/{k.Name}"), .. Counters];
        }
    }

    /// <inheritdoc />
    public Mixture<T> Mixture { get; }

    /// <summary>Accuracy over the window that passes a stage.</summary>
    public double Threshold { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> MetricNames => _names;

    /// <summary>The current stage's key; null before the first draw.</summary>
    public CurriculumKey? Stage => _started ? _stage : null;

    /// <summary>Stages passed so far.</summary>
    public int Advances => _advances;

    /// <summary>Mean pass rate over the current stage's window so far; NaN when empty.</summary>
    public double StageAccuracy
    {
        get
        {
            if (_windowCount == 0) return double.NaN;
            double sum = 0;
            for (int i = 0; i < _windowCount; i++) sum += _window[i];
            return sum / _windowCount;
        }
    }

    /// <inheritdoc />
    public void Draw(Span<T> records, Span<int> sources)
    {
        CurriculumChecks.DrawSpans(records.Length, sources.Length);
        if (!_started) Start();
        for (int i = 0; i < records.Length; i++)
        {
            records[i] = Take(out sources[i]);
            _pending.Add(_stageKey(records[i]));
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
            // Only the current stage's records count toward passing it (not a fallback's, nor a passed stage's).
            if (_pending[j] != _stage || double.IsNaN(passRate[j])) continue;
            _window[_windowHead] = passRate[j];
            _windowHead = (_windowHead + 1) % _window.Length;
            _windowCount = Math.Min(_windowCount + 1, _window.Length);
            if (_windowCount == _window.Length && StageAccuracy >= Threshold) TryAdvance();
        }

        _lastSkipped = _skipped;
        _lastFallbacks = _fallbacks;
        _skipped = _fallbacks = 0;
        _pending.Clear();
    }

    /// <inheritdoc />
    public void WriteMetrics(Span<double> values)
    {
        CurriculumChecks.MetricSpan(values.Length, _names.Length);
        int at = 0;
        if (_namedKeys is null)
        {
            values[at++] = _started ? _stage.MetricValue : double.NaN;
        }
        else
        {
            foreach (var key in _namedKeys) values[at++] = !_started ? double.NaN : key == _stage ? 1 : 0;
        }

        values[at] = _advances;
        values[at + 1] = StageAccuracy;
        values[at + 2] = _lastSkipped;
        values[at + 3] = _lastFallbacks;
    }

    /// <inheritdoc />
    public byte[] SaveState() => CheckpointState.Save(Kind, Version, 7, Write);

    /// <inheritdoc />
    public void LoadState(ReadOnlySpan<byte> state)
    {
        CheckpointState.Load(state, Kind, Version, 7, Read);
        _pending.Clear();
        _skipped = _fallbacks = 0;
    }

    private void Write(ref MessagePackWriter writer)
    {
        writer.Write(Mixture.Position);
        _queues.Write(ref writer);                  // two fields: keys, queued positions
        writer.Write(_started);
        _stage.Write(ref writer);
        writer.Write(_advances);
        // The window, oldest first.
        writer.WriteArrayHeader(_windowCount);
        int oldest = _windowCount < _window.Length ? 0 : _windowHead;
        for (int i = 0; i < _windowCount; i++) writer.Write(_window[(oldest + i) % _window.Length]);
    }

    private void Read(ref MessagePackReader reader)
    {
        long position = reader.ReadInt64();
        _queues.ReadAndReplay(ref reader, position);
        _started = reader.ReadBoolean();
        _stage = CurriculumKey.Read(ref reader);
        _advances = reader.ReadInt32();
        int count = reader.ReadArrayHeader();
        if (count > _window.Length) throw new FormatException($"The state's window holds {count} pass rates; this curriculum's window is {_window.Length}.");
        for (int i = 0; i < count; i++) _window[i] = reader.ReadDouble();
        _windowCount = count;
        _windowHead = count % _window.Length;
    }

    // Draws the discovery records into the queues and starts at the lowest stage among them.
    private void Start()
    {
        for (int i = 0; i < _discoveryDraws; i++)
        {
            var record = _queues.DrawFromMixture(out int source, out long position, out int slot);
            if (!_queues.TryEnqueue(slot, record, source, position)) _skipped++;
        }

        _stage = _queues.KeyOf(0);
        for (int slot = 1; slot < _queues.Count; slot++)
        {
            if (_queues.KeyOf(slot) < _stage) _stage = _queues.KeyOf(slot);
        }

        _started = true;
    }

    private T Take(out int source)
    {
        _queues.TryGetSlot(_stage, out int current);
        if (_queues.TryDequeue(current, out var queued, out source)) return queued;
        T record = default!;
        for (int search = 0; search < _maxSearch; search++)
        {
            record = _queues.DrawFromMixture(out source, out long position, out int slot);
            var key = _queues.KeyOf(slot);
            if (key == _stage) return record;
            if (search == _maxSearch - 1) break;
            if (key < _stage || !_queues.TryEnqueue(slot, record, source, position)) _skipped++;
        }

        _fallbacks++;
        return record;
    }

    // The next stage is the lowest key above the current one seen so far; its window starts empty.
    private void TryAdvance()
    {
        CurriculumKey next = default;
        bool found = false;
        for (int slot = 0; slot < _queues.Count; slot++)
        {
            var key = _queues.KeyOf(slot);
            if (key > _stage && (!found || key < next))
            {
                next = key;
                found = true;
            }
        }

        if (!found) return;
        if (_queues.TryGetSlot(_stage, out int passed)) _queues.ClearSlot(passed);
        _stage = next;
        _advances++;
        _windowCount = 0;
        _windowHead = 0;
    }
}
