namespace Rft.Data;

/// <summary>
/// Draws records from weighted sources: each draw picks a source with probability proportional to its
/// weight, then takes that source's next record. Each source has its own seeded RNG; a finite source
/// is reopened (a new epoch, a new RNG) when exhausted.
/// </summary>
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

    /// <summary>The next record.</summary>
    public T Next() => Next(out _);

    /// <summary>The next record and the index of the source it came from.</summary>
    public T Next(out int source)
    {
        double u = _picker.NextDouble();
        source = 0;
        while (source < _cumulative.Length - 1 && u >= _cumulative[source]) source++;
        _drawn[source]++;
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
