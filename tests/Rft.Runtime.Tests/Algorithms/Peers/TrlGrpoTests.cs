using Rft.Algorithms;
using Rft.Algorithms.Peers;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms.Peers;

public class TrlGrpoTests
{
    // Two reward functions weighted 1 and 0.5, groups of 2 consecutive completions:
    //  row 0: (1, 2) -> 2; row 1: (0, NaN) -> 0 (NaN ignored); row 2: (NaN, NaN) -> unscorable, NaN; row 3: (1, 0) -> 1.
    private static Tensor RewardsPerFunc() => tensor(new double[,] { { 1, 2 }, { 0, double.NaN }, { double.NaN, double.NaN }, { 1, 0 } });

    private static Tensor Weights() => tensor(new[] { 1.0, 0.5 });

    [Fact]
    public void Group_scaling_ignores_nan_and_zeroes_nan_advantages()
    {
        using var scope = NewDisposeScope();
        var result = TrlGrpo.Advantages(RewardsPerFunc(), Weights(), numGenerations: 2);
        // Group (2, 0): mean 1, unbiased std sqrt(2) -> +-1 / (sqrt 2 + 1e-4).
        // Group (NaN, 1): mean 1, one non-NaN value -> std NaN -> advantages NaN -> 0.
        double s = Math.Sqrt(2);
        Assert.Equal(new[] { 1 / (s + 1e-4), -1 / (s + 1e-4), 0, 0 }, result.Advantages.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(new[] { 2, 0, double.NaN, 1 }, result.Rewards.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(new[] { s, s, double.NaN, double.NaN }, result.StdRewards.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(new[] { false, false, false, false }, result.IsStdZero.data<bool>().ToArray());
    }

    [Fact]
    public void Float32_matches_float64()
    {
        using var scope = NewDisposeScope();
        var narrow = TrlGrpo.Advantages(RewardsPerFunc().to_type(ScalarType.Float32), Weights().to_type(ScalarType.Float32), 2);
        Assert.Equal(ScalarType.Float32, narrow.Advantages.dtype);
        Assert.Equal(1 / (Math.Sqrt(2) + 1e-4), narrow.Advantages[0].item<float>(), 6);
    }

    [Fact]
    public void None_scaling_only_centres()
    {
        using var scope = NewDisposeScope();
        var result = TrlGrpo.Advantages(RewardsPerFunc(), Weights(), 2, TrlScaleRewards.None);
        Assert.Equal(new[] { 1.0, -1, 0, 0 }, result.Advantages.data<double>().ToArray(), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void Batch_scaling_uses_the_batch_std_and_the_group_mean()
    {
        using var scope = NewDisposeScope();
        var result = TrlGrpo.Advantages(RewardsPerFunc(), Weights(), 2, TrlScaleRewards.Batch);
        // Batch (2, 0, NaN, 1): mean 1, squared deviations 1, 1, 0 -> 2/3 * 3/2 = 1 -> std 1.
        Assert.Equal(new[] { 1 / 1.0001, -1 / 1.0001, 0, 0 }, result.Advantages.data<double>().ToArray(), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void All_equal_groups_have_zero_std_and_zero_advantage()
    {
        using var scope = NewDisposeScope();
        var result = TrlGrpo.Advantages(tensor(new double[,] { { 3 }, { 3 }, { 1 }, { 0 } }), tensor(new[] { 1.0 }), 2);
        Assert.Equal(new[] { true, true, false, false }, result.IsStdZero.data<bool>().ToArray());
        Assert.Equal(0.0, result.Advantages[0].item<double>());
    }

    [Fact]
    public void Singleton_groups_use_zero_std()
    {
        using var scope = NewDisposeScope();
        var result = TrlGrpo.Advantages(tensor(new double[,] { { 3 }, { 1 } }), tensor(new[] { 1.0 }), 1);
        Assert.Equal(new[] { 0.0, 0 }, result.Advantages.data<double>().ToArray());
        Assert.Equal(new[] { true, true }, result.IsStdZero.data<bool>().ToArray());
    }

    [Fact]
    public void Batch_not_a_multiple_of_the_group_size_raises()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => TrlGrpo.Advantages(zeros(3, 1, float64), ones(1, float64), 2));
        Assert.Contains("num_generations", error.Message);
    }

    // Ratios (2, 1.1, 0.5) with eps (0.2, 0.28): coef_2 = (1.28, 1.1, 0.8).
    private static Tensor Logps() => tensor(new[] { Math.Log(2), Math.Log(1.1), Math.Log(0.5) }).reshape(1, 3);

    [Theory]
    [InlineData(TrlLossType.Grpo, -1.19)]          // A = +1: -min(coef_1, coef_2) = (-1.28, -1.1); (-2.38 / 2) mean over 1 sequence
    [InlineData(TrlLossType.Bnpo, -1.19)]          // -2.38 / 2 tokens
    [InlineData(TrlLossType.DrGrpo, -0.595)]       // -2.38 / (1 * max_completion_length 4)
    [InlineData(TrlLossType.Dapo, -0.595)]         // -2.38 / (num_items_in_batch 8 / 2 processes)
    public void Loss_types_by_hand(TrlLossType lossType, double expected)
    {
        using var scope = NewDisposeScope();
        var options = new TrlGrpoLossOptions(lossType, EpsilonHigh: 0.28, MaxCompletionLength: 4, NumItemsInBatch: 8, NumProcesses: 2);
        var result = TrlGrpo.Loss(Logps(), zeros(1, 3, float64), null, tensor(new[] { 1.0 }), tensor(new double[,] { { 1, 1, 0 } }), options);
        Assert.Equal(expected, result.Loss.item<double>(), 12);
        Assert.Null(result.PerTokenKl);
        Assert.Equal(0.5, result.ClipRatioHighMean.item<double>(), 12);   // token 0 of 2 masked tokens
        Assert.Equal(0.0, result.ClipRatioLowMean.item<double>());
        Assert.Equal(0.5, result.ClipRatioRegionMean.item<double>(), 12);
    }

    [Fact]
    public void Delta_caps_the_unclipped_ratio_for_negative_advantages()
    {
        using var scope = NewDisposeScope();
        var options = new TrlGrpoLossOptions(TrlLossType.Bnpo, EpsilonHigh: 0.28, Delta: 1.5);
        var result = TrlGrpo.Loss(Logps(), zeros(1, 3, float64), null, tensor(new[] { -1.0 }), ones(1, 3, float64), options);
        // A = -1: -min(-min(coef_1, 1.5), -coef_2) = max(min(coef_1, 1.5), coef_2) = (1.5, 1.1, 0.8); without delta token 0 would be 2.
        Assert.Equal(new[] { 1.5, 1.1, 0.8 }, result.PerTokenLoss.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(1.0 / 3, result.ClipRatioLowMean.item<double>(), 12);  // 0.5 < 0.8 with A < 0
        Assert.Equal(0.0, result.ClipRatioHighMean.item<double>());
    }

    [Fact]
    public void K3_term_with_and_without_bias_correction()
    {
        using var scope = NewDisposeScope();
        // coef_1 = (1.1, 1, 1); ref - logp = (ln 2, 0, 0) -> kl = (2 - ln 2 - 1, 0, 0).
        var logps = zeros(1, 3, float64);
        var old = tensor(new[] { -Math.Log(1.1), 0, 0 }).reshape(1, 3);
        var reference = tensor(new[] { Math.Log(2), 0, 0 }).reshape(1, 3);
        double kl = 1 - Math.Log(2);
        var plain = TrlGrpo.Loss(logps, old, reference, tensor(new[] { 1.0 }), ones(1, 3, float64), new TrlGrpoLossOptions(TrlLossType.Bnpo, Beta: 0.1));
        Assert.Equal(kl, plain.PerTokenKl![0, 0].item<double>(), 12);
        Assert.Equal(-1.1 + 0.1 * kl, plain.PerTokenLoss[0, 0].item<double>(), 12);
        var corrected = TrlGrpo.Loss(logps, old, reference, tensor(new[] { 1.0 }), ones(1, 3, float64), new TrlGrpoLossOptions(TrlLossType.Bnpo, Beta: 0.1, UseBiasCorrectionKl: true));
        Assert.Equal(kl * 1.1, corrected.PerTokenKl![0, 0].item<double>(), 12);
        Assert.Throws<ArgumentException>(() => TrlGrpo.Loss(logps, old, null, tensor(new[] { 1.0 }), ones(1, 3, float64), new TrlGrpoLossOptions(Beta: 0.1)));
    }

    [Fact]
    public void Sequence_level_ratio_is_one_per_sequence()
    {
        using var scope = NewDisposeScope();
        // Masked log-ratios (ln 2, 0) -> coef_1 = sqrt 2 > 1.28 -> per-sequence loss -1.28; grpo: token mean of -1.28 = -1.28.
        var logps = tensor(new[] { Math.Log(2), 0, 5 }).reshape(1, 3);
        var options = new TrlGrpoLossOptions(TrlLossType.Grpo, EpsilonHigh: 0.28, ImportanceSamplingLevel: ImportanceSamplingLevel.Sequence);
        var result = TrlGrpo.Loss(logps, zeros(1, 3, float64), null, tensor(new[] { 1.0 }), tensor(new double[,] { { 1, 1, 0 } }), options);
        Assert.Equal(new long[] { 1, 1 }, result.Coef1.shape);
        Assert.Equal(Math.Sqrt(2), result.Coef1.item<double>(), 12);
        Assert.Equal(-1.28, result.Loss.item<double>(), 12);
        Assert.Equal(1.0, result.ClipRatioHighMean.item<double>());
    }

    [Fact]
    public void Empty_mask_gives_zero_loss()
    {
        using var scope = NewDisposeScope();
        var result = TrlGrpo.Loss(Logps(), zeros(1, 3, float64), null, tensor(new[] { 1.0 }), zeros(1, 3, float64), new TrlGrpoLossOptions(TrlLossType.Grpo));
        Assert.Equal(0.0, result.Loss.item<double>());
    }

    [Theory]
    [InlineData(TrlLossType.Grpo, ImportanceSamplingLevel.Token)]
    [InlineData(TrlLossType.Bnpo, ImportanceSamplingLevel.Token)]
    [InlineData(TrlLossType.DrGrpo, ImportanceSamplingLevel.Token)]
    [InlineData(TrlLossType.Dapo, ImportanceSamplingLevel.Token)]
    [InlineData(TrlLossType.Grpo, ImportanceSamplingLevel.Sequence)]
    public void Loss_gradient_matches_finite_differences(TrlLossType lossType, ImportanceSamplingLevel level)
    {
        using var scope = NewDisposeScope();
        var old = tensor(new double[,] { { -1.0, -0.5, -2.0 }, { -0.3, -1.2, -0.7 } });
        var reference = tensor(new double[,] { { -1.1, -0.4, -2.2 }, { -0.2, -1.0, -0.9 } });
        var advantages = tensor(new[] { 1.5, -0.7 });
        var mask = tensor(new double[,] { { 1, 1, 1 }, { 1, 1, 0 } });
        var point = old + tensor(new double[,] { { 0.1, -0.05, 0.15 }, { -0.1, 0.05, 0.3 } });
        var options = new TrlGrpoLossOptions(lossType, Beta: 0.04, EpsilonHigh: 0.28, ImportanceSamplingLevel: level, UseBiasCorrectionKl: true);
        FiniteDifference.AssertGradientMatches(logp => TrlGrpo.Loss(logp, old, reference, advantages, mask, options).Loss, point);
    }
}
