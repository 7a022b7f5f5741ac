using Rft.Data;

namespace Rft.Runtime.Tests.Data.Curricula;

public class MixturePositionTests
{
    [Fact]
    public void Mixture_fast_forward_replays_the_same_draws_and_continues_where_an_uninterrupted_mixture_would()
    {
        var uninterrupted = CurriculumHarness.CreateMixture();
        var first = new List<(long, Item, int)>();
        for (int i = 0; i < 37; i++)
        {
            long at = uninterrupted.Position;
            var record = uninterrupted.Next(out int source);
            first.Add((at, record, source));
        }

        var resumed = CurriculumHarness.CreateMixture();
        var visited = new List<(long, Item, int)>();
        resumed.FastForward(37, (at, record, source) => visited.Add((at, record, source)));

        Assert.Equal(first, visited);
        Assert.Equal(37, resumed.Position);
        Assert.Equal(uninterrupted.Drawn, resumed.Drawn);
        Assert.Equal(uninterrupted.Take(25), resumed.Take(25));
        Assert.Equal(62, resumed.Position);
    }

    [Fact]
    public void Mixture_cannot_fast_forward_backwards()
    {
        var mixture = CurriculumHarness.CreateMixture();
        mixture.Take(5);
        mixture.FastForward(5);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => mixture.FastForward(4));
        Assert.Contains("already at position 5", error.Message);
    }
}
