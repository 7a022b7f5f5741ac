using Rft.Training;

namespace Rft.Runtime.Tests.Training;

public class ScheduleAndOptionsTests
{
    [Fact]
    public void Warmup_rises_linearly_then_cosine_decays_to_the_floor()
    {
        Assert.Equal(0.25, LearningRateSchedule.WarmupCosine(1, 1.0, 4, 104, 0.1), 10);
        Assert.Equal(1.0, LearningRateSchedule.WarmupCosine(4, 1.0, 4, 104, 0.1), 10);
        Assert.Equal(0.55, LearningRateSchedule.WarmupCosine(54, 1.0, 4, 104, 0.1), 10);
        Assert.Equal(0.1, LearningRateSchedule.WarmupCosine(104, 1.0, 4, 104, 0.1), 10);
    }

    [Fact]
    public void A_min_learning_rate_ratio_of_one_keeps_the_rate_constant_after_the_warmup()
    {
        var rates = Enumerable.Range(1, 104).Select(step => LearningRateSchedule.WarmupCosine(step, 3e-4, 4, 104, 1.0)).ToArray();
        Assert.Equal(0.75e-4, rates[0], 15);
        Assert.All(rates.Skip(3), rate => Assert.Equal(3e-4, rate));

        var errors = new List<string>();
        OptionChecks.InClosedRange(errors, "Rft:MinLearningRateRatio", 1.0, 0, 1);
        Assert.Empty(errors);
        OptionChecks.InClosedRange(errors, "Rft:MinLearningRateRatio", 1.01, 0, 1);
        Assert.Equal("Rft:MinLearningRateRatio = 1.01 is invalid: it must be in [0, 1].", Assert.Single(errors));
    }

    [Fact]
    public void A_reward_of_weight_zero_adds_nothing_to_the_total_not_even_a_failure()
    {
        Assert.Equal(0.0, RewardWeight.Apply(0, float.NaN));
        Assert.Equal(0.0, RewardWeight.Apply(0, 5f));
        Assert.Equal(1.5, RewardWeight.Apply(0.5, 3f));
        Assert.True(double.IsNaN(RewardWeight.Apply(0.5, float.NaN)), "a failing reward of positive weight still masks its sample");

        var errors = new List<string>();
        OptionChecks.NonNegative(errors, "Rft:LengthWeight", 0);
        Assert.Empty(errors);
        OptionChecks.NonNegative(errors, "Rft:LengthWeight", double.PositiveInfinity);
        OptionChecks.NonNegative(errors, "Rft:LengthWeight", -0.1);
        Assert.Equal(2, errors.Count);
        Assert.Equal("Rft:LengthWeight = -0.1 is invalid: it must be a finite number of at least 0.", errors[1]);
    }

    [Fact]
    public void Option_checks_name_the_option_its_value_and_what_is_valid()
    {
        var errors = new List<string>();
        OptionChecks.AtLeast(errors, "Rft:GroupSize", 1, 2);
        OptionChecks.Positive(errors, "Rft:LearningRate", double.NaN);
        OptionChecks.InRangeExclusiveLow(errors, "Rft:TopP", 0, 0, 1);
        OptionChecks.AtLeast(errors, "Rft:Steps", 10, 0);
        Assert.Equal(3, errors.Count);
        Assert.Equal("Rft:GroupSize = 1 is invalid: it must be at least 2.", errors[0]);
        Assert.Contains("Rft:LearningRate = NaN", errors[1]);
        Assert.Contains("(0, 1]", errors[2]);
    }

    [Fact]
    public void Seed_sequence_is_stable_and_separates_purposes()
    {
        var seeds = new SeedSequence(1234);
        Assert.Equal(seeds.Derive("mixture"), new SeedSequence(1234).Derive("mixture"));
        Assert.NotEqual(seeds.Derive("mixture"), seeds.Derive("sampling"));
        Assert.NotEqual(seeds.Derive("mixture"), new SeedSequence(1235).Derive("mixture"));
        Assert.True(seeds.Derive("x") >= 0);
    }

    [Fact]
    public void Score_buffer_masks_nan_totals_and_measures_flat_groups()
    {
        using var buffer = new ScoreBuffer(8);
        buffer.Clear(6);
        float[] totals = { 1, 1, 1, 0, float.NaN, 1 };
        for (int i = 0; i < totals.Length; i++) buffer.Set(i, totals[i], correct: totals[i] >= 1);
        Assert.Equal(1, buffer.Masked);
        // Groups of 3: [1,1,1] is flat; [0,NaN,1] is not.
        Assert.Equal(0.5, buffer.ZeroVarianceGroupShare(3), 10);
        Assert.Equal(4.0 / 5.0, buffer.Accuracy, 10);
        using var scope = TorchSharp.torch.NewDisposeScope();
        Assert.Equal(new float[] { 1, 1, 1, 1, 0, 1 }, buffer.ValidMask(TorchSharp.torch.CPU).data<float>().ToArray());
        Assert.Equal(new float[] { 1, 1, 1, 0, 0, 1 }, buffer.Scores(TorchSharp.torch.CPU).data<float>().ToArray());
    }
}
