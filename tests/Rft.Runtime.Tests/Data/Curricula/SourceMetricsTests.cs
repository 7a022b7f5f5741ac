using Rft.Data;

namespace Rft.Runtime.Tests.Data.Curricula;

public class SourceMetricsTests
{
    [Fact]
    public void Share_mean_reward_and_accuracy_per_source_for_the_step()
    {
        var metrics = SourceMetrics.For(CurriculumHarness.CreateMixture());
        Assert.Equal(
            ["source/finite/share", "source/finite/reward", "source/finite/accuracy",
             "source/easy/share", "source/easy/reward", "source/easy/accuracy",
             "source/mixed/share", "source/mixed/reward", "source/mixed/accuracy"],
            metrics.MetricNames);

        metrics.Clear();
        metrics.AddPrompt(1);
        metrics.AddCompletion(1, 1.0, correct: true);
        metrics.AddCompletion(1, 0.0, correct: false);
        metrics.AddCompletion(1, double.NaN, correct: false);      // a masked sample is left out
        metrics.AddPrompt(1);
        metrics.AddCompletion(1, 0.5, correct: false);
        metrics.AddPrompt(2);
        metrics.AddCompletion(2, 0.25, correct: true);
        var values = new double[metrics.MetricNames.Count];
        metrics.WriteMetrics(values);
        Assert.Equal([0, double.NaN, double.NaN, 2.0 / 3, 0.5, 1.0 / 3, 1.0 / 3, 0.25, 1], values);

        metrics.Clear();
        metrics.WriteMetrics(values);
        Assert.All(values, v => Assert.True(double.IsNaN(v)));
        Assert.Throws<ArgumentOutOfRangeException>(() => metrics.AddPrompt(3));
    }
}
