namespace Rft.Data;

/// <summary>
/// Draws records from weighted sources: each draw picks a source with probability proportional to its
/// weight, then takes that source's next record. Each source has its own seeded RNG; a finite source
/// is reopened (a new epoch, a new RNG) when exhausted.
/// </summary>
/// <remarks>
/// The draws are a pure function of the seed and the sources, so the mixture's whole state is
/// <see cref="Position"/>: a run resumed from a checkpoint builds a fresh mixture from the same seed and
/// replays it to the saved position with <see cref="FastForward"/> (records of arbitrary type cannot be
/// serialized; their positions can).
/// </remarks>
public sealed class Mixture<T>
{
    private readonly MixtureSource<T>[] _sources;
    private readonly IEnumerator<T>?[] _open;
    private readonly double[] _cumulative;
    private readonly long[] _drawn;
    private readonly int[] _epochs;
    private readonly Random _picker;
    private readonly int _seed;

    public Mixture(int seed, IReadOnlyList<MixtureSource<T>> sources)
    {
        if (sources.Count == 0) throw new ArgumentException("A mixture needs at least one source.", nameof(sources));
        _seed = seed;
        _sources = sources.ToArray();
        _open = new IEnumerator<T>?[_sources.Length];
        _cumulative = new double[_sources.Length];
        _drawn = new long[_sources.Length];
        _epochs = new int[_sources.Length];
        double total = 0;
        for (int i = 0; i < _sources.Length; i++)
        {
            double weight = _sources[i].Weight;
            if (!(weight > 0) || double.IsInfinity(weight))
                throw new ArgumentException($"Source '{_sources[i].Name}' has weight {weight}: weights must be positive and finite.", nameof(sources));
            total += weight;
            _cumulative[i] = total;
        }

        for (int i = 0; i < _cumulative.Length; i++) _cumulative[i] /= total;
        _picker = new Random(new Training.SeedSequence(seed).Derive("picker"));
    }

    /// <summary>The sources, in declaration order.</summary>
    public IReadOnlyList<MixtureSource<T>> Sources => _sources;

    /// <summary>Records drawn so far from each source.</summary>
    public IReadOnlyList<long> Drawn => _drawn;

    /// <summary>Records drawn so far, from all sources: the 0-based position of the next draw.</summary>
    public long Position { get; private set; }

    /// <summary>
    /// Draws and discards records until <see cref="Position"/> is <paramref name="position"/>, calling
    /// <paramref name="visit"/>(position, record, source) for each, so that a caller that held some of
    /// them (a curriculum's queues) can take them back. Used to resume from a checkpoint.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is behind <see cref="Position"/>: a mixture cannot go back; build a fresh one from the seed.</exception>
    public void FastForward(long position, Action<long, T, int>? visit = null)
    {
        if (position < Position)
            throw new ArgumentOutOfRangeException(nameof(position), position,
                $"The mixture is already at position {Position}; it cannot go back to {position}. Build a fresh mixture from the same seed and fast-forward that.");
        while (Position < position)
        {
            long at = Position;
            var record = Next(out int source);
            visit?.Invoke(at, record, source);
        }
    }

    /// <summary>The next record.</summary>
    public T Next() => Next(out _);

    /// <summary>The next record and the index of the source it came from.</summary>
    public T Next(out int source)
    {
        double u = _picker.NextDouble();
        source = 0;
        while (source < _cumulative.Length - 1 && u >= _cumulative[source]) source++;
        _drawn[source]++;
        Position++;
        return NextFrom(source);
    }

    /// <summary>The next <paramref name="count"/> records.</summary>
    public T[] Take(int count)
    {
        var records = new T[count];
        for (int i = 0; i < count; i++) records[i] = Next();
        return records;
    }

    private T NextFrom(int source)
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            var enumerator = _open[source] ??= Open(source);
            if (enumerator.MoveNext()) return enumerator.Current;
            enumerator.Dispose();
            _open[source] = null;
        }

        throw new InvalidOperationException($"Source '{_sources[source].Name}' yielded no records.");
    }

    private IEnumerator<T> Open(int source)
    {
        int epoch = _epochs[source]++;
        var seed = new Training.SeedSequence(_seed).Derive($"source:{_sources[source].Name}:{epoch}");
        return _sources[source].Open(new Random(seed)).GetEnumerator();
    }
}
