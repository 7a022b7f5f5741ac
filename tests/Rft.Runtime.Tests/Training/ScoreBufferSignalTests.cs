using Rft.Training;

namespace Rft.Runtime.Tests.Training;

/// <summary>The per-prompt signal a curriculum learns from, over each group's valid (unmasked) completions.</summary>
public class ScoreBufferSignalTests
{
    [Fact]
    public void Pass_rate_and_mean_absolute_advantage_per_group_leave_masked_samples_out()
    {
        using var scores = new ScoreBuffer(12);
        scores.Clear(12);
        bool[] correct = [true, false, true, false, /**/ true, false, true, true, /**/ false, false, false, false];
        float[] totals = [1, 0, 1, 0, /**/ 1, float.NaN, 1, 1, /**/ float.NaN, float.NaN, float.NaN, float.NaN];
        for (int i = 0; i < 12; i++) scores.Set(i, totals[i], correct[i]);
        float[] advantages = [0.5f, -0.5f, 0.5f, -0.5f, /**/ 0, 9, 0, 0, /**/ 1, -3, 2, 0];
        var passRate = new double[3];
        var meanAbs = new double[3];

        scores.GroupSignal(4, advantages, passRate, meanAbs);

        // Group 2: the masked second sample (advantage 9) counts neither as a try nor in the mean; group 3 is all masked.
        Assert.Equal([0.5, 1, double.NaN], passRate);
        Assert.Equal([0.5, 0, double.NaN], meanAbs);
        Assert.Throws<ArgumentException>(() => scores.GroupSignal(4, advantages.AsSpan(0, 11), passRate, meanAbs));
    }

    [Fact]
    public void Rows_moved_down_keep_their_scores_validity_and_correctness()
    {
        using var scores = new ScoreBuffer(8);
        scores.Clear(8);
        for (int i = 0; i < 8; i++) scores.Set(i, i == 5 ? float.NaN : i, i % 2 == 0);

        scores.MoveRows(4, 0, 4);
        scores.SetRowCount(4);

        Assert.Equal([4f, float.NaN, 6f, 7f], Enumerable.Range(0, 4).Select(scores.Score));
        Assert.Equal([true, false, true, false], Enumerable.Range(0, 4).Select(scores.IsCorrect));
        var copy = new float[4];
        scores.CopyScores(0, copy);
        Assert.Equal([4f, float.NaN, 6f, 7f], copy);
    }
}
