using Rft.Training;

namespace Rft.Runtime.Tests.Training;

/// <summary>pass@k and the held-out tally behind the eval verb.</summary>
public class HeldOutEvaluationTests
{
    [Fact]
    public void Pass_at_k_equals_the_share_of_k_subsets_holding_a_correct_sample()
    {
        // Chen et al.'s estimator is the exact probability that k of the n samples, drawn without replacement, include a
        // correct one: enumerate every subset of 7 samples and count.
        const int n = 7;
        for (int correct = 0; correct <= n; correct++)
        {
            for (int k = 1; k <= n; k++)
            {
                int subsets = 0, hits = 0;
                for (int mask = 0; mask < 1 << n; mask++)
                {
                    if (System.Numerics.BitOperations.PopCount((uint)mask) != k) continue;
                    subsets++;
                    if ((mask & ((1 << correct) - 1)) != 0) hits++; // samples 0..correct-1 are the correct ones
                }

                Assert.Equal((double)hits / subsets, PassAtK.Estimate(n, correct, k), 12);
            }
        }
    }

    [Fact]
    public void With_as_many_samples_as_k_pass_at_k_is_whether_any_sample_is_correct_and_pass_at_1_is_the_share_correct()
    {
        Assert.Equal(0.0, PassAtK.Estimate(4, 0, 4));
        Assert.Equal(1.0, PassAtK.Estimate(4, 1, 4));
        Assert.Equal(3.0 / 10, PassAtK.Estimate(10, 3, 1), 12);
        // Large n stays finite (the binomials themselves would overflow a double).
        Assert.Equal(0.5, PassAtK.Estimate(2000, 1000, 1), 12);
        Assert.InRange(PassAtK.Estimate(2000, 10, 100), 0.39, 0.41); // about 1 - 0.95^10
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(4, 1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(4, 5, 2));
    }

    [Fact]
    public void The_tally_averages_rewards_without_failed_ones_and_averages_pass_at_k_over_problems()
    {
        var settings = new HeldOutEvaluationSettings(K: 2, Samples: 3, Temperature: 1, TopP: 1, Seed: 0);
        var tally = new HeldOutTally(["Correct", "Stopped"], problems: 2, settings);
        tally.AddGreedy([1f, 1f], correct: true, completionTokens: 4);
        tally.AddGreedy([0f, float.NaN], correct: false, completionTokens: 6);
        // Problem 0: 1 of 3 samples correct; problem 1: none.
        tally.AddSample(0, [1f, 1f], true, 3);
        tally.AddSample(0, [0f, 1f], false, 5);
        tally.AddSample(0, [0f, 0f], false, 7);
        tally.AddSample(1, [0f, 1f], false, 2);
        tally.AddSample(1, [0f, float.NaN], false, 2);
        tally.AddSample(1, [float.NaN, 1f], false, 2);

        var result = tally.Finish(seconds: 1.5);

        Assert.Equal(0.5, result.Greedy.Accuracy);
        Assert.Equal([0.5, 1.0], result.Greedy.RewardMeans);
        Assert.Equal([0, 1], result.Greedy.RewardFailures);
        Assert.Equal(5.0, result.Greedy.MeanCompletionTokens);
        Assert.Equal(1.0 / 6, result.Sampled.Accuracy, 12);
        Assert.Equal([1.0 / 5, 4.0 / 5], result.Sampled.RewardMeans.Select(m => Math.Round(m, 12)));
        Assert.Equal([1, 1], result.Sampled.RewardFailures);
        Assert.Equal(21.0 / 6, result.Sampled.MeanCompletionTokens, 12);
        // pass@2 of problem 0 with 1 of 3 correct: 1 - C(2,2)/C(3,2) = 2/3; problem 1: 0.
        Assert.Equal((2.0 / 3 + 0) / 2, result.PassAtK, 12);
    }

    [Fact]
    public void The_tally_refuses_an_evaluation_whose_problems_did_not_all_get_their_samples()
    {
        var tally = new HeldOutTally(["Correct"], problems: 2, new HeldOutEvaluationSettings(1, 2, 1, 1, 0));
        tally.AddGreedy([1f], true, 1);
        tally.AddGreedy([1f], true, 1);
        tally.AddSample(0, [1f], true, 1);
        tally.AddSample(0, [1f], true, 1);
        tally.AddSample(1, [1f], true, 1);

        var error = Assert.Throws<InvalidOperationException>(() => tally.Finish(0));
        Assert.Contains("problem 1 received 1 sampled completions, not 2", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HeldOutEvaluationSettings(K: 4, Samples: 2, 1, 1, 0).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new HeldOutEvaluationSettings(K: 1, Samples: 2, Temperature: 0, 1, 0).Validate());
    }
}
