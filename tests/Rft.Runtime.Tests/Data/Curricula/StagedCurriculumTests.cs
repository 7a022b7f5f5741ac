using Rft.Data;
using Rft.Data.Curricula;

namespace Rft.Runtime.Tests.Data.Curricula;

public class StagedCurriculumTests
{
    // Categories 3, 1, 2, 3, 1, 2, ... so the lowest stage is not the first record.
    private static Mixture<Item> Cycling() => new(5, new MixtureSource<Item>[]
    {
        new("cycle", 1, _ => Enumerable.Range(0, int.MaxValue).Select(i => new Item(1 + (i + 2) % 3, i))),
    });

    [Fact]
    public void Starts_at_the_lowest_stage_and_advances_when_the_full_window_reaches_the_threshold()
    {
        var staged = new StagedCurriculum<Item>(Cycling(), r => r.Category, threshold: 0.75, window: 4, discoveryDraws: 6);
        var records = new Item[3];
        staged.Draw(records, new int[3]);
        Assert.Equal(1, staged.Stage);
        Assert.All(records, r => Assert.Equal(1, r.Category));

        staged.Feedback([1, 1, 1], [0, 0, 0]);                    // window not full yet: no advance on 3 records
        Assert.Equal(1, staged.Stage);

        var one = new Item[1];
        staged.Draw(one, new int[1]);
        staged.Feedback([0], [0]);                                // window 1, 1, 1, 0: mean 0.75 reaches 0.75
        Assert.Equal(2, staged.Stage);
        Assert.Equal(1, staged.Advances);
        Assert.True(double.IsNaN(staged.StageAccuracy));          // the new stage's window starts empty

        records = new Item[4];
        staged.Draw(records, new int[4]);
        Assert.All(records, r => Assert.Equal(2, r.Category));
        staged.Feedback([1, 1, 0.5, 0.49], [0, 0, 0, 0]);        // mean 0.7475: stays
        Assert.Equal(2, staged.Stage);
        Assert.Equal(0.7475, staged.StageAccuracy, 12);

        staged.Draw(one, new int[1]);
        staged.Feedback([1], [0]);                                // window slides to 1, 0.5, 0.49, 1: mean 0.7475
        Assert.Equal(2, staged.Stage);
        staged.Draw(one, new int[1]);
        staged.Feedback([1], [0]);                                // 0.5, 0.49, 1, 1: 0.7475
        staged.Draw(one, new int[1]);
        staged.Feedback([1], [0]);                                // 0.49, 1, 1, 1: 0.8725 passes
        Assert.Equal(3, staged.Stage);

        var metrics = new double[staged.MetricNames.Count];
        staged.WriteMetrics(metrics);
        Assert.Equal(["staged/stage", "staged/advances", "staged/accuracy", "staged/skipped", "staged/fallbacks"], staged.MetricNames);
        Assert.Equal(3, metrics[0]);
        Assert.Equal(2, metrics[1]);
    }

    [Fact]
    public void The_last_stage_goes_on_and_records_of_passed_stages_are_skipped()
    {
        var staged = new StagedCurriculum<Item>(Cycling(), r => r.Category, threshold: 0.5, window: 1, discoveryDraws: 3);
        var one = new Item[1];
        for (int stage = 1; stage <= 3; stage++)
        {
            staged.Draw(one, new int[1]);
            Assert.Equal(stage, one[0].Category);
            staged.Feedback([1], [0]);
        }

        Assert.Equal(3, staged.Stage);
        var records = new Item[5];
        staged.Draw(records, new int[5]);
        Assert.All(records, r => Assert.Equal(3, r.Category));
        staged.Feedback([1, 1, 1, 1, 1], [0, 0, 0, 0, 0]);
        var metrics = new double[staged.MetricNames.Count];
        staged.WriteMetrics(metrics);
        Assert.Equal(3, metrics[0]);
        Assert.True(metrics[3] >= 8, $"records of stages 1 and 2 are skipped while drawing stage 3 (skipped {metrics[3]})");
    }
}
