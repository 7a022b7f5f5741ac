using Rft.Data;

namespace Rft.Runtime.Tests.Data.Curricula;

public class CheckpointableRandomTests
{
    [Fact]
    public void Outputs_match_the_xoshiro256_starstar_reference_from_state_1_2_3_4()
    {
        // The reference C implementation (prng.di.unimi.it/xoshiro256starstar.c) from s = {1, 2, 3, 4}.
        var random = new CheckpointableRandom(0);
        random.SetState([1UL, 2UL, 3UL, 4UL]);
        Assert.Equal(11520UL, random.NextUInt64());
        Assert.Equal(0UL, random.NextUInt64());
        Assert.Equal(1509978240UL, random.NextUInt64());
        Assert.Equal(1215971899390074240UL, random.NextUInt64());
    }

    [Fact]
    public void Seeding_uses_splitmix64_so_equal_seeds_agree_and_different_seeds_differ()
    {
        // Values from a Python transcription of SplitMix64 seeding + xoshiro256**.
        var random = new CheckpointableRandom(42);
        Assert.Equal(0x15780b2e0c2ec716UL, random.NextUInt64());
        Assert.Equal(0x6104d9866d113a7eUL, random.NextUInt64());
        Assert.NotEqual(new CheckpointableRandom(1).NextUInt64(), new CheckpointableRandom(2).NextUInt64());
    }

    [Fact]
    public void A_restored_state_continues_the_same_sequence()
    {
        var random = new CheckpointableRandom(7);
        for (int i = 0; i < 100; i++) random.NextUInt64();
        byte[] state = random.SaveState();
        var expected = Enumerable.Range(0, 50).Select(_ => random.NextDouble()).ToArray();

        var restored = new CheckpointableRandom(12345);
        restored.LoadState(state);
        Assert.Equal(expected, Enumerable.Range(0, 50).Select(_ => restored.NextDouble()).ToArray());
    }

    [Fact]
    public void Next_is_uniform_over_its_range_and_NextDouble_stays_in_the_unit_interval()
    {
        var random = new CheckpointableRandom(3);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[random.Next(7)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        for (int i = 0; i < 10_000; i++) Assert.InRange(random.NextDouble(), 0.0, 0.9999999999999999);
        Assert.Equal(0, random.Next(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.Next(0));
    }

    [Fact]
    public void A_truncated_or_all_zero_state_is_rejected()
    {
        var random = new CheckpointableRandom(1);
        byte[] state = random.SaveState();
        Assert.Throws<FormatException>(() => random.LoadState(state.AsSpan(0, state.Length - 1)));
        Assert.Throws<ArgumentException>(() => random.SetState([0UL, 0UL, 0UL, 0UL]));
    }
}
