using Rft.Data;

namespace Rft.Runtime.Tests.Data;

public class MixtureTests
{
    private static IEnumerable<int> Constant(int value)
    {
        while (true) yield return value;
    }

    [Fact]
    public void Draws_follow_the_declared_weights()
    {
        var mixture = new Mixture<int>(7, new MixtureSource<int>[]
        {
            new("a", 3, _ => Constant(0)),
            new("b", 1, _ => Constant(1)),
        });
        int draws = 100_000, b = 0;
        for (int i = 0; i < draws; i++) b += mixture.Next();
        Assert.InRange(b / (double)draws, 0.24, 0.26);
        Assert.Equal(draws, mixture.Drawn[0] + mixture.Drawn[1]);
    }

    [Fact]
    public void The_same_seed_gives_the_same_sequence_and_finite_sources_are_reopened()
    {
        static Mixture<int> Create(int seed) => new(seed, new MixtureSource<int>[]
        {
            new("finite", 1, rng => Enumerable.Range(0, 3).Select(i => i * 10 + rng.Next(10))),
            new("random", 2, rng => Enumerable.Range(0, int.MaxValue).Select(_ => 100 + rng.Next(100))),
        });
        var first = Create(5).Take(200);
        Assert.Equal(first, Create(5).Take(200));
        Assert.NotEqual(first, Create(6).Take(200));
        Assert.True(first.Count(v => v < 100) > 3, "the finite source was reopened after three records");
    }

    [Fact]
    public void A_non_positive_weight_is_rejected_with_the_source_name()
    {
        var error = Assert.Throws<ArgumentException>(() => new Mixture<int>(1, new MixtureSource<int>[] { new("bad", 0, _ => Constant(0)) }));
        Assert.Contains("'bad'", error.Message);
    }
}
