using MessagePack;

namespace Rft.Data.Curricula;

/// <summary>
/// Self-Evolving Curriculum (SEC, Chen et al. 2025, arXiv:2505.14970): the categories of the records
/// (<c>categoryKey</c>) are the arms of a non-stationary bandit. Each prompt slot picks an arm by
/// Boltzmann sampling, P(a) = exp(Q(a) / tau) / sum_b exp(Q(b) / tau), then takes a record of that
/// category. After the step the reward of each drawn arm is the mean absolute advantage of its records
/// (how much there was to learn), and its value follows TD(0): Q(a) &lt;- Q(a) + alpha (r(a) - Q(a)).
/// Values start at 0.
/// </summary>
/// <remarks>
/// Categories are discovered from the records drawn: one never seen cannot be chosen. The first
/// <see cref="Draw"/> first draws <c>discoveryDraws</c> records into the queues, so that the common
/// categories are arms from the start (and those records are used, not wasted). A record of the
/// chosen category comes from that category's queue, else from the mixture; records of other categories
/// drawn meanwhile wait in their queue (at most <c>queueCapacity</c> each; a record finding its queue
/// full is dropped). When <c>maxSearch</c> mixture draws bring no record of the chosen category, the last
/// one drawn is used instead (counted in <c>sec/fallbacks</c>) and credited to its own category. Before
/// any category is known the first slot takes the mixture's next record.
/// Metrics: <c>sec/arms</c> (categories known), <c>sec/fallbacks</c> (last step), and per arm its value and
/// its share of the last step's records. With <c>keyNames</c> (an enum's members) they are named after the
/// categories, <c>sec/arm/{name}/q</c> and <c>sec/arm/{name}/share</c>, for every named category in the
/// order given; otherwise, for the first <c>reportedArms</c> arms in order of discovery, <c>sec/arm{i}/key</c>
/// (the key's number; NaN for a text key, which a metric cannot hold), <c>sec/arm{i}/q</c> and
/// <c>sec/arm{i}/share</c>. NaN (left out of metrics.jsonl) for an arm not yet discovered.
/// </remarks>
public sealed class SelfEvolvingCurriculum<T> : ICurriculum<T>
{
    private const string Kind = "SelfEvolvingCurriculum";
    private const int Version = 1;

    private readonly KeyedQueues<T> _queues;
    private readonly CheckpointableRandom _random;
    private readonly int _maxSearch;
    private readonly int _discoveryDraws;
    private bool _started;
    private readonly int _reportedArms;
    private readonly CurriculumKey[]? _namedKeys;
    private readonly string[] _names;
    private readonly PendingDraws<int> _pending = new();
    private double[] _values = new double[8];
    private double[] _weights = new double[8];
    private double[] _rewardSums = new double[8];
    private int[] _rewardCounts = new int[8];
    private double[] _shares = new double[8];
    private int _fallbacks;
    private int _lastFallbacks;

    /// <param name="mixture">Where records come from.</param>
    /// <param name="categoryKey">The category (arm) of a record.</param>
    /// <param name="alpha">TD(0) learning rate, in (0, 1].</param>
    /// <param name="temperature">Boltzmann temperature tau, positive: small = greedy, large = uniform over the known categories.</param>
    /// <param name="seed">Seeds the arm choices.</param>
    /// <param name="reportedArms">Arms with their own metrics.</param>
    /// <param name="discoveryDraws">Records drawn into the queues at the start to discover categories.</param>
    /// <param name="queueCapacity">Records held back per category.</param>
    /// <param name="maxSearch">Mixture draws spent looking for a record of the chosen category before falling back.</param>
    /// <param name="keyNames">Categories known in advance with their names (<see cref="CurriculumKey.NamesOf{TEnum}"/>): each gets metrics named after it.</param>
    public SelfEvolvingCurriculum(Mixture<T> mixture, Func<T, CurriculumKey> categoryKey, double alpha, double temperature, long seed,
        int reportedArms = 8, int discoveryDraws = 64, int queueCapacity = 256, int maxSearch = 1024,
        IReadOnlyList<(CurriculumKey Key, string Name)>? keyNames = null)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        ArgumentNullException.ThrowIfNull(categoryKey);
        if (!(alpha > 0 && alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha, the TD(0) learning rate, must be in (0, 1].");
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The Boltzmann temperature tau must be positive and finite.");
        ArgumentOutOfRangeException.ThrowIfNegative(reportedArms);
        CurriculumChecks.Capacity(discoveryDraws, nameof(discoveryDraws));
        CurriculumChecks.Capacity(queueCapacity, nameof(queueCapacity));
        CurriculumChecks.Capacity(maxSearch, nameof(maxSearch));
        Mixture = mixture;
        Alpha = alpha;
        Temperature = temperature;
        _random = new CheckpointableRandom(seed);
        _queues = new KeyedQueues<T>(mixture, categoryKey, queueCapacity);
        _maxSearch = maxSearch;
        _discoveryDraws = discoveryDraws;
        _reportedArms = reportedArms;
        if (keyNames is not null)
        {
            CurriculumChecks.KeyNames(keyNames);
            _namedKeys = keyNames.Select(k => k.Key).ToArray();
            _names = new string[2 + 2 * keyNames.Count];
            for (int i = 0; i < keyNames.Count; i++)
            {
                _names[2 + 2 * i] = $"sec/arm/{keyNames[i].Name}/q";
                _names[3 + 2 * i] = $"sec/arm/{keyNames[i].Name}/share";
            }
        }
        else
        {
            _names = new string[2 + 3 * reportedArms];
            for (int i = 0; i < reportedArms; i++)
            {
                _names[2 + 3 * i] = $"sec/arm{i}/key";
                _names[3 + 3 * i] = $"sec/arm{i}/q";
                _names[4 + 3 * i] = $"sec/arm{i}/share";
            }
        }

        _names[0] = "sec/arms";
        _names[1] = "sec/fallbacks";
    }

    /// <inheritdoc />
    public Mixture<T> Mixture { get; }

    /// <summary>TD(0) learning rate.</summary>
    public double Alpha { get; }

    /// <summary>Boltzmann temperature tau.</summary>
    public double Temperature { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> MetricNames => _names;

    /// <summary>Categories discovered so far; arms are numbered in order of discovery.</summary>
    public int ArmCount => _queues.Count;

    /// <summary>The category key of an arm.</summary>
    public CurriculumKey ArmKey(int arm) => _queues.KeyOf(CheckArm(arm));

    /// <summary>Q, the arm's value.</summary>
    public double Value(int arm) => _values[CheckArm(arm)];

    /// <summary>The probability that the next slot picks <paramref name="arm"/>.</summary>
    public double Probability(int arm)
    {
        CheckArm(arm);
        double total = BoltzmannWeights();
        return _weights[arm] / total;
    }

    /// <inheritdoc />
    public void Draw(Span<T> records, Span<int> sources)
    {
        CurriculumChecks.DrawSpans(records.Length, sources.Length);
        if (!_started) Start();
        for (int i = 0; i < records.Length; i++)
        {
            records[i] = Take(Choose(), out sources[i], out int arm);
            _pending.Add(arm);
        }
    }

    /// <inheritdoc />
    public void Withdraw(int index) => _pending.RemoveAt(index);

    /// <inheritdoc />
    public void Feedback(ReadOnlySpan<double> passRate, ReadOnlySpan<double> meanAbsAdvantage)
    {
        CurriculumChecks.FeedbackSpans(passRate.Length, meanAbsAdvantage.Length, _pending.Count);
        int arms = _queues.Count;
        Array.Clear(_rewardSums, 0, arms);
        Array.Clear(_rewardCounts, 0, arms);
        Array.Clear(_shares, 0, arms);
        for (int j = 0; j < _pending.Count; j++)
        {
            int arm = _pending[j];
            _shares[arm] += 1.0 / _pending.Count;
            double reward = meanAbsAdvantage[j];
            if (double.IsNaN(reward)) continue;      // a record whose rewards all failed says nothing about its arm
            _rewardSums[arm] += reward;
            _rewardCounts[arm]++;
        }

        // TD(0) on the arms drawn this step: r(a) is the mean |advantage| of a's records.
        for (int arm = 0; arm < arms; arm++)
        {
            if (_rewardCounts[arm] == 0) continue;
            double reward = _rewardSums[arm] / _rewardCounts[arm];
            _values[arm] += Alpha * (reward - _values[arm]);
        }

        _lastFallbacks = _fallbacks;
        _fallbacks = 0;
        _pending.Clear();
    }

    /// <inheritdoc />
    public void WriteMetrics(Span<double> values)
    {
        CurriculumChecks.MetricSpan(values.Length, _names.Length);
        values[0] = _queues.Count;
        values[1] = _lastFallbacks;
        if (_namedKeys is not null)
        {
            for (int i = 0; i < _namedKeys.Length; i++)
            {
                bool known = _queues.TryGetSlot(_namedKeys[i], out int arm);
                values[2 + 2 * i] = known ? _values[arm] : double.NaN;
                values[3 + 2 * i] = known ? _shares[arm] : double.NaN;
            }

            return;
        }

        for (int i = 0; i < _reportedArms; i++)
        {
            bool known = i < _queues.Count;
            values[2 + 3 * i] = known ? _queues.KeyOf(i).MetricValue : double.NaN;
            values[3 + 3 * i] = known ? _values[i] : double.NaN;
            values[4 + 3 * i] = known ? _shares[i] : double.NaN;
        }
    }

    /// <inheritdoc />
    public byte[] SaveState() => CheckpointState.Save(Kind, Version, 6, Write);

    /// <inheritdoc />
    public void LoadState(ReadOnlySpan<byte> state)
    {
        CheckpointState.Load(state, Kind, Version, 6, Read);
        _pending.Clear();
        _fallbacks = 0;
    }

    private void Write(ref MessagePackWriter writer)
    {
        writer.Write(Mixture.Position);
        writer.Write(_started);
        _random.Write(ref writer);
        _queues.Write(ref writer);                  // two fields: keys, queued positions
        writer.WriteArrayHeader(_queues.Count);
        for (int arm = 0; arm < _queues.Count; arm++) writer.Write(_values[arm]);
    }

    private void Read(ref MessagePackReader reader)
    {
        long position = reader.ReadInt64();
        _started = reader.ReadBoolean();
        _random.Read(ref reader);
        _queues.ReadAndReplay(ref reader, position);
        EnsureArms();
        int arms = reader.ReadArrayHeader();
        if (arms != _queues.Count) throw new FormatException($"The state has {arms} arm values for {_queues.Count} categories.");
        for (int arm = 0; arm < arms; arm++) _values[arm] = reader.ReadDouble();
    }

    // Draws the discovery records into the queues.
    private void Start()
    {
        for (int i = 0; i < _discoveryDraws; i++)
        {
            var record = _queues.DrawFromMixture(out int source, out long position, out int arm);
            _queues.TryEnqueue(arm, record, source, position);
        }

        EnsureArms();
        _started = true;
    }

    // Boltzmann sampling over the known arms with the checkpointed RNG.
    private int Choose()
    {
        double total = BoltzmannWeights();
        double u = _random.NextDouble() * total;
        int arms = _queues.Count;
        for (int arm = 0; arm < arms - 1; arm++)
        {
            u -= _weights[arm];
            if (u < 0) return arm;
        }

        return arms - 1;
    }

    // exp((Q - max Q) / tau): shifted by the largest value so that no weight overflows.
    private double BoltzmannWeights()
    {
        int arms = _queues.Count;
        double max = double.NegativeInfinity;
        for (int arm = 0; arm < arms; arm++) max = Math.Max(max, _values[arm]);
        double total = 0;
        for (int arm = 0; arm < arms; arm++)
        {
            _weights[arm] = Math.Exp((_values[arm] - max) / Temperature);
            total += _weights[arm];
        }

        return total;
    }

    // A record of the wanted arm: its queue first, else the mixture, queueing the other categories met.
    private T Take(int wanted, out int source, out int arm)
    {
        arm = wanted;
        if (_queues.TryDequeue(wanted, out var queued, out source)) return queued;
        T record = default!;
        for (int search = 0; search < _maxSearch; search++)
        {
            record = _queues.DrawFromMixture(out source, out long position, out arm);
            EnsureArms();
            if (arm == wanted) return record;
            if (search < _maxSearch - 1) _queues.TryEnqueue(arm, record, source, position);
        }

        _fallbacks++;
        return record;
    }

    private void EnsureArms()
    {
        int arms = _queues.Count;
        if (arms <= _values.Length) return;
        int size = Math.Max(arms, _values.Length * 2);
        Array.Resize(ref _values, size);
        Array.Resize(ref _weights, size);
        Array.Resize(ref _rewardSums, size);
        Array.Resize(ref _rewardCounts, size);
        Array.Resize(ref _shares, size);
    }

    private int CheckArm(int arm)
    {
        if ((uint)arm >= (uint)_queues.Count)
            throw new ArgumentOutOfRangeException(nameof(arm), arm, $"Arms are 0..{_queues.Count - 1} (categories discovered so far).");
        return arm;
    }
}
