namespace Rft.Training;

/// <summary>
/// Derives independent, stable seeds for each random stream of a run (data, sampling, weights...)
/// from the run's seed and the stream's purpose, so adding a stream never shifts the others.
/// </summary>
public readonly struct SeedSequence
{
    private readonly int _seed;

    public SeedSequence(int seed) => _seed = seed;

    /// <summary>A non-negative seed for <paramref name="purpose"/>, the same on every platform and run.</summary>
    public int Derive(string purpose)
    {
        // FNV-1a over the purpose, mixed with the seed by SplitMix64's finaliser.
        ulong hash = 14695981039346656037UL;
        foreach (char c in purpose)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        ulong z = hash ^ ((ulong)(uint)_seed * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
