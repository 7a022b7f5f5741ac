using Rft.Data;
using Rft.Data.Curricula;

namespace Rft.Runtime.Tests.Data.Curricula;

/// <summary>Draw, Feedback and WriteMetrics allocate nothing once the curriculum has warmed up.</summary>
public class CurriculumAllocationTests
{
    private static readonly Item[] Items = Enumerable.Range(0, 40).Select(i => new Item(1 + i % 4, i)).ToArray();
    private static readonly string[] Keys = Items.Select(i => i.Key).ToArray();

    public static TheoryData<string> Kinds => new() { "uniform", "staged", "sec", "filter" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Steady_state_steps_allocate_nothing(string kind)
    {
        // The sources hand out pre-built records, so that only the curriculum and mixture could allocate.
        var mixture = new Mixture<Item>(4, new MixtureSource<Item>[]
        {
            new("a", 1, rng => Cycle(rng)),
            new("b", 2, rng => Cycle(rng)),
        });
        ICurriculum<Item> curriculum = kind switch
        {
            "uniform" => new UniformCurriculum<Item>(mixture),
            "staged" => new StagedCurriculum<Item>(mixture, r => r.Category, threshold: 0.5, window: 8),
            "sec" => new SelfEvolvingCurriculum<Item>(mixture, r => r.Category, alpha: 0.3, temperature: 0.5, seed: 1),
            _ => new PassRateFilter<Item>(mixture, r => Keys[r.Id], window: 4, minAttempts: 2),
        };
        var records = new Item[16];
        var sources = new int[16];
        var passRates = new double[16];
        var advantages = new double[16];
        var metrics = new double[curriculum.MetricNames.Count];

        void Step(int step)
        {
            curriculum.Draw(records, sources);
            for (int i = 0; i < records.Length; i++)
            {
                passRates[i] = CurriculumHarness.PassRate(records[i], step);
                advantages[i] = CurriculumHarness.MeanAbsAdvantage(records[i], step);
            }

            curriculum.Feedback(passRates, advantages);
            curriculum.WriteMetrics(metrics);
        }

        for (int step = 1; step <= 100; step++) Step(step);
        int next = 101;
        long allocated = Allocations.LeastOf(() =>
        {
            for (int end = next + 100; next < end; next++) Step(next);
        });
        Assert.Equal(0, allocated);
    }

    private static IEnumerable<Item> Cycle(Random rng)
    {
        while (true) yield return Items[rng.Next(Items.Length)];
    }
}
