using Rft.Data;
using Rft.Data.Curricula;

namespace Rft.Runtime.Tests.Data.Curricula;

/// <summary>
/// Curricula keyed on text (how JSON Lines datasets name their categories) and on enums (whose member names
/// name the metrics), and a draw withdrawn because its prompt did not fit.
/// </summary>
public class CurriculumKeyTests
{
    private const int Steps = 40;

    /// <summary>The categories of <see cref="Item"/> as an enum, as a record would declare them.</summary>
    public enum Level
    {
        Easy = 1,
        Medium,
        Hard,
        Expert,
    }

    [Fact]
    public void A_self_evolving_curriculum_keyed_on_text_resumes_with_the_same_draws_and_values()
    {
        static ICurriculum<Item> Build(Mixture<Item> m) =>
            new SelfEvolvingCurriculum<Item>(m, r => Category(r), alpha: 0.5, temperature: 0.2, seed: 99, queueCapacity: 4);

        var run = CurriculumHarness.Run(Build, Steps);
        Assert.Equal(4, run.FinalMetrics[0]);
        CurriculumHarness.AssertResumable(Build, Steps, 1, 6, 13, 27);

        var sec = (SelfEvolvingCurriculum<Item>)Build(CurriculumHarness.CreateMixture());
        sec.Draw(new Item[6], new int[6]);
        var keys = Enumerable.Range(0, sec.ArmCount).Select(sec.ArmKey).ToArray();
        Assert.All(keys, key => Assert.True(key.IsText));
        Assert.Equal(new[] { "cat-1", "cat-2", "cat-3", "cat-4" }, keys.Select(k => k.Text).Order(StringComparer.Ordinal));

        // A text key is not a number: its metric is NaN (left out of metrics.jsonl), the arm's value and share are not.
        var metrics = new double[sec.MetricNames.Count];
        sec.WriteMetrics(metrics);
        Assert.True(double.IsNaN(metrics[sec.MetricNames.ToList().IndexOf("sec/arm0/key")]));
        Assert.Equal(0.0, metrics[sec.MetricNames.ToList().IndexOf("sec/arm0/q")]);
    }

    [Fact]
    public void A_staged_curriculum_keyed_on_text_orders_stages_ordinally_and_resumes()
    {
        static ICurriculum<Item> Build(Mixture<Item> m) =>
            new StagedCurriculum<Item>(m, r => Category(r), threshold: 0.6, window: 8, discoveryDraws: 16, queueCapacity: 8);

        var run = CurriculumHarness.Run(Build, Steps);
        Assert.True(run.FinalMetrics[1] >= 2, $"the run should pass at least two stages (passed {run.FinalMetrics[1]})");
        CurriculumHarness.AssertResumable(Build, Steps, 1, 5, 12, 23, 31);

        var staged = (StagedCurriculum<Item>)Build(CurriculumHarness.CreateMixture());
        staged.Draw(new Item[1], new int[1]);
        Assert.Equal("cat-1", staged.Stage!.Value.Text);
    }

    [Fact]
    public void The_state_of_a_text_keyed_curriculum_loads_only_into_one_keyed_the_same_way()
    {
        var saved = new SelfEvolvingCurriculum<Item>(CurriculumHarness.CreateMixture(), r => Category(r), 0.5, 1.0, seed: 3);
        saved.Draw(new Item[8], new int[8]);
        saved.Feedback(new double[8], new double[8]);

        var byNumber = new SelfEvolvingCurriculum<Item>(CurriculumHarness.CreateMixture(), r => r.Category, 0.5, 1.0, seed: 3);
        var error = Assert.Throws<FormatException>(() => byNumber.LoadState(saved.SaveState()));
        Assert.Matches("has key [1-4], but the state queued key cat-[1-4] there", error.Message);
    }

    [Fact]
    public void Enum_keys_name_the_self_evolving_arms_metrics_after_their_members()
    {
        var sec = new SelfEvolvingCurriculum<Item>(CurriculumHarness.CreateMixture(), r => r.Category, 0.5, 0.2, seed: 7,
            keyNames: CurriculumKey.NamesOf<Level>());

        Assert.Equal(
            new[]
            {
                "sec/arms", "sec/fallbacks", "sec/arm/Easy/q", "sec/arm/Easy/share", "sec/arm/Medium/q", "sec/arm/Medium/share",
                "sec/arm/Hard/q", "sec/arm/Hard/share", "sec/arm/Expert/q", "sec/arm/Expert/share",
            },
            sec.MetricNames);

        var records = new Item[12];
        sec.Draw(records, new int[12]);
        var advantages = records.Select(r => r.Category == 2 ? 1.0 : 0.0).ToArray();
        sec.Feedback(new double[12], advantages);
        var metrics = new double[sec.MetricNames.Count];
        sec.WriteMetrics(metrics);

        var names = sec.MetricNames.ToList();
        double Share(Level level) => metrics[names.IndexOf($"sec/arm/{level}/share")];
        Assert.Equal(records.Count(r => r.Category == 3) / 12.0, Share(Level.Hard), 12);
        Assert.Equal(1.0, Enum.GetValues<Level>().Sum(Share), 12);
        // Medium's records carried all the advantage: its value moved by alpha = 0.5 towards 1; the others stay at 0.
        Assert.Equal(records.Any(r => r.Category == 2) ? 0.5 : 0.0, metrics[names.IndexOf("sec/arm/Medium/q")], 12);
        Assert.Equal(0.0, metrics[names.IndexOf("sec/arm/Easy/q")], 12);
    }

    [Fact]
    public void Enum_keys_report_the_current_stage_by_its_member_name()
    {
        var staged = new StagedCurriculum<Item>(CurriculumHarness.CreateMixture(), r => r.Category, threshold: 0.5, window: 2,
            keyNames: CurriculumKey.NamesOf<Level>());
        Assert.Equal(
            new[] { "staged/stage/Easy", "staged/stage/Medium", "staged/stage/Hard", "staged/stage/Expert", "staged/advances", "staged/accuracy", "staged/skipped", "staged/fallbacks" },
            staged.MetricNames);

        var metrics = new double[staged.MetricNames.Count];
        staged.WriteMetrics(metrics);
        Assert.All(metrics.Take(4), value => Assert.True(double.IsNaN(value)));   // not started

        // One step of two solved Easy problems fills the window of 2 at accuracy 1: the next stage starts.
        staged.Draw(new Item[2], new int[2]);
        staged.Feedback([1.0, 1.0], [0.0, 0.0]);
        staged.WriteMetrics(metrics);
        Assert.Equal(new[] { 0.0, 1.0, 0.0, 0.0 }, metrics.Take(4));   // passed Easy, now on Medium
        Assert.Equal(1.0, metrics[4]);
    }

    [Fact]
    public void A_withdrawn_draw_gets_no_feedback_in_every_curriculum()
    {
        foreach (var curriculum in new ICurriculum<Item>[]
        {
            new UniformCurriculum<Item>(CurriculumHarness.CreateMixture()),
            new StagedCurriculum<Item>(CurriculumHarness.CreateMixture(), r => r.Category, 0.5, 4),
            new SelfEvolvingCurriculum<Item>(CurriculumHarness.CreateMixture(), r => r.Category, 0.5, 1.0, seed: 1),
            new PassRateFilter<Item>(CurriculumHarness.CreateMixture(), r => r.Key),
        })
        {
            curriculum.Draw(new Item[3], new int[3]);
            curriculum.Withdraw(1);
            var error = Assert.Throws<ArgumentException>(() => curriculum.Feedback(new double[3], new double[3]));
            Assert.Contains("2 records were drawn", error.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => curriculum.Withdraw(2));
            curriculum.Feedback(new double[2], new double[2]);
        }
    }

    [Fact]
    public void Feedback_after_a_withdrawal_goes_to_the_records_kept_in_draw_order()
    {
        // Medium and Hard records alternate; the first drawn is withdrawn: the feedback of the others must reach their own arms.
        var mixture = new Mixture<Item>(1, new MixtureSource<Item>[]
        {
            new("fixed", 1, _ => new[] { new Item(2, 0), new Item(3, 1) }),
        });
        var sec = new SelfEvolvingCurriculum<Item>(mixture, r => r.Category, alpha: 1.0, temperature: 1.0, seed: 1, discoveryDraws: 2,
            keyNames: CurriculumKey.NamesOf<Level>());
        var records = new Item[8];
        sec.Draw(records, new int[8]);
        sec.Withdraw(0);
        var kept = records[1..];
        Assert.Contains(kept, r => r.Category == 2);
        Assert.Contains(kept, r => r.Category == 3);
        sec.Feedback(new double[7], kept.Select(r => r.Category == 2 ? 0.25 : 0.5).ToArray());

        var metrics = new double[sec.MetricNames.Count];
        sec.WriteMetrics(metrics);
        var names = sec.MetricNames.ToList();
        Assert.Equal(0.25, metrics[names.IndexOf("sec/arm/Medium/q")], 12);
        Assert.Equal(0.5, metrics[names.IndexOf("sec/arm/Hard/q")], 12);
        Assert.Equal(kept.Count(r => r.Category == 2) / 7.0, metrics[names.IndexOf("sec/arm/Medium/share")], 12);
    }

    [Fact]
    public void Keys_compare_numbers_numerically_texts_ordinally_and_refuse_null_saying_why()
    {
        Assert.True((CurriculumKey)2 < 10);
        Assert.True((CurriculumKey)"level10" < "level2");
        Assert.True((CurriculumKey)1000 < "a");
        Assert.Equal((CurriculumKey)"a", (CurriculumKey)"a");
        Assert.NotEqual((CurriculumKey)"1", (CurriculumKey)1);
        var error = Assert.Throws<ArgumentNullException>(() => (CurriculumKey)(string?)null);
        Assert.Contains("curriculum key is null", error.Message);
        Assert.Equal(new[] { "Easy", "Medium", "Hard", "Expert" }, CurriculumKey.NamesOf<Level>().Select(n => n.Name));
        Assert.Equal(1, CurriculumKey.NamesOf<Level>()[0].Key.Number);
    }

    // Interned, as a JSON Lines record's string field is one string per row rather than one per call.
    private static readonly string[] Categories = ["cat-0", "cat-1", "cat-2", "cat-3", "cat-4"];

    private static string Category(Item item) => Categories[item.Category];
}
