using MessagePack;
using Rft.Data.Curricula;

namespace Rft.Data;

/// <summary>
/// A small, fast random number generator whose whole state (four 64-bit words) can be saved with a
/// checkpoint and restored, so a resumed run draws exactly what an uninterrupted one would have:
/// xoshiro256** (Blackman and Vigna, https://prng.di.unimi.it/xoshiro256starstar.c), seeded by
/// SplitMix64 as its authors recommend. Not for cryptography.
/// </summary>
public sealed class CheckpointableRandom
{
    /// <summary>Words of state, for <see cref="GetState"/> and <see cref="SetState"/>.</summary>
    public const int StateWords = 4;

    private ulong _s0, _s1, _s2, _s3;

    /// <summary>A generator seeded from <paramref name="seed"/>; equal seeds give equal sequences on every platform.</summary>
    public CheckpointableRandom(long seed)
    {
        ulong x = (ulong)seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>64 uniformly random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1), from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's method).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExclusive"/> is below 1.</exception>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExclusive, 1);
        ulong bound = (ulong)maxExclusive;
        ulong product = Math.BigMul(NextUInt64(), bound, out ulong low);
        if (low < bound)
        {
            ulong threshold = (0 - bound) % bound;
            while (low < threshold) product = Math.BigMul(NextUInt64(), bound, out low);
        }

        return (int)product;
    }

    /// <summary>Copies the state into <paramref name="state"/> (<see cref="StateWords"/> words).</summary>
    public void GetState(Span<ulong> state)
    {
        if (state.Length < StateWords) throw new ArgumentException($"The state needs {StateWords} words; the span has {state.Length}.", nameof(state));
        state[0] = _s0;
        state[1] = _s1;
        state[2] = _s2;
        state[3] = _s3;
    }

    /// <summary>Restores a state saved by <see cref="GetState"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than <see cref="StateWords"/> words, or all zero (xoshiro's one invalid state).</exception>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length < StateWords) throw new ArgumentException($"The state needs {StateWords} words; the span has {state.Length}.", nameof(state));
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new ArgumentException("An all-zero state is invalid for xoshiro256**.", nameof(state));
        _s0 = state[0];
        _s1 = state[1];
        _s2 = state[2];
        _s3 = state[3];
    }

    /// <summary>The state as MessagePack: an array of the four 64-bit words.</summary>
    public byte[] SaveState() => CheckpointState.Save(Write);

    /// <summary>Restores a state written by <see cref="SaveState"/>.</summary>
    /// <exception cref="FormatException">The bytes are not such a state.</exception>
    public void LoadState(ReadOnlySpan<byte> state) => CheckpointState.Load(state, nameof(CheckpointableRandom), Read);

    internal void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(StateWords);
        writer.Write(_s0);
        writer.Write(_s1);
        writer.Write(_s2);
        writer.Write(_s3);
    }

    internal void Read(ref MessagePackReader reader)
    {
        int words = reader.ReadArrayHeader();
        if (words != StateWords) throw new FormatException($"A random state has {StateWords} words; found {words}.");
        Span<ulong> state = stackalloc ulong[StateWords];
        for (int i = 0; i < StateWords; i++) state[i] = reader.ReadUInt64();
        try
        {
            SetState(state);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
