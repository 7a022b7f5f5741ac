using Rft.Data;
using Rft.Data.Curricula;

namespace Rft.Runtime.Tests.Data.Curricula;

public class PassRateFilterTests
{
    // Problems 0, 1, 2, 3, 0, 1, ... in order (one source of four records, reopened every epoch).
    private static Mixture<Item> FourProblems() => new(1, new MixtureSource<Item>[]
    {
        new("four", 1, _ => Enumerable.Range(0, 4).Select(i => new Item(1, i))),
    });

    [Fact]
    public void Keeps_problems_whose_recent_pass_rate_is_strictly_between_0_and_1()
    {
        var filter = new PassRateFilter<Item>(FourProblems(), r => r.Key, window: 3, minAttempts: 2, maxSkipsPerDraw: 100);
        var records = new Item[4];
        var sources = new int[4];
        filter.Draw(records, sources);
        Assert.Equal([0, 1, 2, 3], records.Select(r => r.Id));
        filter.Feedback([0, 1, 0.5, 0], [0, 0, 0.5, 0]);

        filter.Draw(records, sources);                            // one attempt each: nothing can be skipped yet
        Assert.Equal([0, 1, 2, 3], records.Select(r => r.Id));
        filter.Feedback([0, 1, 0.5, 0.25], [0, 0, 0.5, 0.4]);

        // Problem 0 never solved and problem 1 always solved over two attempts: skipped. Problem 3 (0, 0.25) is kept.
        Assert.True(filter.IsSaturated("1:0") && filter.IsSaturated("1:1"));
        Assert.False(filter.IsSaturated("1:2") || filter.IsSaturated("1:3"));
        filter.Draw(records, sources);
        Assert.Equal([2, 3, 2, 3], records.Select(r => r.Id));
        filter.Feedback([0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]);

        var metrics = new double[filter.MetricNames.Count];
        filter.WriteMetrics(metrics);
        Assert.Equal(["filter/skipped", "filter/tracked", "filter/saturated"], filter.MetricNames);
        Assert.Equal([4, 4, 2], metrics);
        Assert.Equal((0.25 + 0.5 + 0.5) / 3, filter.RecentPassRate("1:3", out int attempts), 12);   // the window keeps the last 3 of 4
        Assert.Equal(3, attempts);
    }

    [Fact]
    public void A_problem_recovers_when_its_window_shows_mixed_results_and_the_skip_budget_bounds_each_draw()
    {
        var filter = new PassRateFilter<Item>(FourProblems(), r => r.Key, window: 2, minAttempts: 2, maxSkipsPerDraw: 1);
        var records = new Item[4];
        var sources = new int[4];
        for (int step = 0; step < 2; step++)
        {
            filter.Draw(records, sources);
            filter.Feedback([1, 1, 1, 1], [0, 0, 0, 0]);         // everything always solved
        }

        // Only one skip allowed per draw: problem 0 is skipped, then 1, 2, 3, 0 are kept anyway.
        filter.Draw(records, sources);
        Assert.Equal([1, 2, 3, 0], records.Select(r => r.Id));
        filter.Feedback([1, 0.5, 1, 1], [0, 0, 0, 0]);
        Assert.False(filter.IsSaturated("1:2"));                   // window 1, 0.5: mixed again, kept
        Assert.True(filter.IsSaturated("1:1"));
    }
}
