using Rft.Algorithms;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms;

public class GroupAdvantagesTests
{
    [Fact]
    public void Grpo_normalises_within_each_group_with_unbiased_std()
    {
        using var scope = NewDisposeScope();
        // Group 1: [1, 0, 0, 1]: mean 0.5, unbiased std sqrt(1/3). Group 2: [2, 2, 2, 5]: mean 2.75, std 1.5.
        var scores = tensor(new float[] { 1, 0, 0, 1, 2, 2, 2, 5 });
        var advantages = GroupAdvantages.Grpo(scores, groupSize: 4, epsilon: 1e-6, scaleByStd: true).data<float>().ToArray();
        double s1 = Math.Sqrt(1.0 / 3.0) + 1e-6, s2 = 1.5 + 1e-6;
        double[] expected = { 0.5 / s1, -0.5 / s1, -0.5 / s1, 0.5 / s1, -0.75 / s2, -0.75 / s2, -0.75 / s2, 2.25 / s2 };
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], advantages[i], 4);
    }

    [Fact]
    public void Grpo_gives_zero_advantage_to_a_group_whose_rewards_are_all_equal()
    {
        using var scope = NewDisposeScope();
        var scores = tensor(new float[] { 3, 3, 3, 1, 0, 1 });
        var advantages = GroupAdvantages.Grpo(scores, 3, 1e-6, true).data<float>().ToArray();
        Assert.All(advantages.Take(3), a => Assert.Equal(0f, a));
        Assert.True(advantages[3] > 0 && advantages[4] < 0);
    }

    [Fact]
    public void Dr_grpo_only_centres()
    {
        using var scope = NewDisposeScope();
        var scores = tensor(new float[] { 1, 0, 0, 1, 4, 0 });
        var advantages = GroupAdvantages.Grpo(scores, 2, 1e-6, scaleByStd: false).data<float>().ToArray();
        Assert.Equal(new float[] { 0.5f, -0.5f, -0.5f, 0.5f, 2f, -2f }, advantages);
    }

    [Fact]
    public void Singleton_groups_use_mean_zero_and_std_one_as_verl_does()
    {
        using var scope = NewDisposeScope();
        var advantages = GroupAdvantages.Grpo(tensor(new float[] { 2, -1 }), 1, 1e-6, true).data<float>().ToArray();
        Assert.Equal(2 / (1 + 1e-6), advantages[0], 5);
        Assert.Equal(-1 / (1 + 1e-6), advantages[1], 5);
    }

    [Fact]
    public void Scores_that_do_not_split_into_groups_are_rejected()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => GroupAdvantages.Grpo(tensor(new float[] { 1, 2, 3 }), 2, 1e-6, true));
        Assert.Contains("groups of 2", error.Message);
    }
}
