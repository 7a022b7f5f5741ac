using Rft.Data.Curricula;

namespace Rft.Runtime.Tests.Data.Curricula;

public class CurriculumFeedbackTests
{
    [Fact]
    public void Pass_rate_and_mean_absolute_advantage_per_group()
    {
        float[] accuracy = [1, 0, 1, 0, /**/ 1, float.NaN, 1, 1, /**/ float.NaN, float.NaN, float.NaN, float.NaN];
        float[] advantages = [0.5f, -0.5f, 0.5f, -0.5f, /**/ 0, 0, 0, 0, /**/ 1, -3, float.NaN, 0];
        var passRate = new double[3];
        var meanAbs = new double[3];
        CurriculumFeedback.FromGroups(accuracy, advantages, 4, passRate, meanAbs);
        Assert.Equal([0.5, 1, double.NaN], passRate);
        Assert.Equal([0.5, 0, 4.0 / 3], meanAbs);
        Assert.Throws<ArgumentException>(() => CurriculumFeedback.FromGroups(accuracy.AsSpan(0, 11), advantages.AsSpan(0, 11), 4, passRate, meanAbs));
    }
}
