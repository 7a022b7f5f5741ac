using Rft.Data;
using Rft.Data.Curricula;

namespace Rft.Runtime.Tests.Data.Curricula;

public class SelfEvolvingCurriculumTests
{
    // Two equally weighted sources, one per category.
    private static Mixture<Item> TwoCategories() => new(3, new MixtureSource<Item>[]
    {
        new("one", 1, _ => Enumerable.Range(0, int.MaxValue).Select(i => new Item(1, i))),
        new("two", 1, _ => Enumerable.Range(0, int.MaxValue).Select(i => new Item(2, i))),
    });

    [Fact]
    public void Values_follow_td0_on_the_mean_absolute_advantage_of_each_arms_records()
    {
        var sec = new SelfEvolvingCurriculum<Item>(TwoCategories(), r => r.Category, alpha: 0.5, temperature: 0.5, seed: 1);
        var records = new Item[16];
        Step(sec, records, category => category == 1 ? 0.8 : 0.2);
        int one = Arm(sec, 1), two = Arm(sec, 2);
        Assert.Equal(0.5 * 0.8, sec.Value(one), 12);     // Q <- 0 + alpha (r - 0)
        Assert.Equal(0.5 * 0.2, sec.Value(two), 12);

        // r is the mean over the arm's records: alternating 0 and 0.6 within category 1 gives 0.3 when its count is even.
        var sources = new int[16];
        sec.Draw(records, sources);
        var passRates = new double[16];
        var advantages = new double[16];
        int seen = 0;
        double sumOne = 0;
        int countOne = 0;
        for (int i = 0; i < 16; i++)
        {
            advantages[i] = records[i].Category == 1 ? (seen++ % 2 == 0 ? 0.0 : 0.6) : 0.2;
            if (records[i].Category == 1)
            {
                sumOne += advantages[i];
                countOne++;
            }
        }

        sec.Feedback(passRates, advantages);
        Assert.True(countOne > 0);
        Assert.Equal(0.4 + 0.5 * (sumOne / countOne - 0.4), sec.Value(one), 12);
        Assert.Equal(0.1 + 0.5 * (0.2 - 0.1), sec.Value(two), 12);
    }

    [Fact]
    public void Arms_are_chosen_by_boltzmann_probabilities_over_q_over_tau()
    {
        var sec = new SelfEvolvingCurriculum<Item>(TwoCategories(), r => r.Category, alpha: 1.0, temperature: 0.5, seed: 2);
        Step(sec, new Item[16], category => category == 1 ? 0.6 : 0.1);   // alpha 1: Q = r exactly
        int one = Arm(sec, 1), two = Arm(sec, 2);
        Assert.Equal(0.6, sec.Value(one), 12);
        Assert.Equal(0.1, sec.Value(two), 12);

        double expected = Math.Exp(0.6 / 0.5) / (Math.Exp(0.6 / 0.5) + Math.Exp(0.1 / 0.5));   // 0.7311
        Assert.Equal(expected, sec.Probability(one), 12);
        Assert.Equal(1 - expected, sec.Probability(two), 12);

        // Every record is of the chosen arm, so the drawn shares follow the probabilities.
        var records = new Item[20_000];
        sec.Draw(records, new int[records.Length]);
        double share = records.Count(r => r.Category == 1) / (double)records.Length;
        Assert.InRange(share, expected - 0.01, expected + 0.01);
        var metrics = new double[sec.MetricNames.Count];
        sec.Feedback(new double[records.Length], new double[records.Length]);
        sec.WriteMetrics(metrics);
        Assert.Equal(share, metrics[IndexOf(sec, $"sec/arm{one}/share")], 9);
        Assert.Equal(0, metrics[IndexOf(sec, "sec/fallbacks")]);
    }

    [Fact]
    public void A_category_never_drawn_is_not_an_arm_and_unknown_arms_report_nan()
    {
        var only = new Mixture<Item>(1, new MixtureSource<Item>[] { new("one", 1, _ => Enumerable.Range(0, int.MaxValue).Select(i => new Item(3, i))) });
        var sec = new SelfEvolvingCurriculum<Item>(only, r => r.Category, 0.5, 1.0, seed: 1, reportedArms: 2);
        Step(sec, new Item[4], _ => 0.5);
        Assert.Equal(1, sec.ArmCount);
        Assert.Equal(3, sec.ArmKey(0));
        var metrics = new double[sec.MetricNames.Count];
        sec.WriteMetrics(metrics);
        Assert.Equal(["sec/arms", "sec/fallbacks", "sec/arm0/key", "sec/arm0/q", "sec/arm0/share", "sec/arm1/key", "sec/arm1/q", "sec/arm1/share"], sec.MetricNames);
        Assert.Equal([1, 0, 3, 0.25, 1, double.NaN, double.NaN, double.NaN], metrics);
    }

    private static void Step(SelfEvolvingCurriculum<Item> sec, Item[] records, Func<int, double> advantageOfCategory)
    {
        sec.Draw(records, new int[records.Length]);
        Assert.Contains(records, r => r.Category == 1 || r.Category == 3);
        var advantages = records.Select(r => advantageOfCategory(r.Category)).ToArray();
        sec.Feedback(new double[records.Length], advantages);
    }

    private static int Arm(SelfEvolvingCurriculum<Item> sec, int category) =>
        Enumerable.Range(0, sec.ArmCount).Single(a => sec.ArmKey(a) == category);

    private static int IndexOf(SelfEvolvingCurriculum<Item> sec, string name) => sec.MetricNames.ToList().IndexOf(name);
}
