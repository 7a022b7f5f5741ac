using Rft.Algorithms;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms.Peers;

public class LossAggregationTests
{
    // Row 0: losses 1, 2, 3 all masked (sum 6, count 3); row 1: 4 masked (sum 4, count 1); row 2: nothing masked.
    private static (Tensor Loss, Tensor Mask) Batch() => (
        tensor(new double[,] { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } }),
        tensor(new double[,] { { 1, 1, 1 }, { 1, 0, 0 }, { 0, 0, 0 } }));

    [Theory]
    [InlineData("token-mean", 10.0 / 4)]                             // (6 + 4) / 4 tokens
    [InlineData("seq-mean-token-sum", 10.0 / 2)]                     // (6 + 4) / 2 non-empty sequences
    [InlineData("seq-mean-token-mean", (2.0 + 4.0) / 2)]             // (6/3 + 4/1) / 2, the empty row excluded
    [InlineData("seq-mean-token-sum-norm", 10.0 / 3)]                // (6 + 4) / T = 3
    public void Modes_with_local_counts(string mode, double expected)
    {
        using var scope = NewDisposeScope();
        var (loss, mask) = Batch();
        Assert.Equal(expected, LossAggregation.Aggregate(loss, mask, mode).item<double>(), 6);
    }

    [Theory]
    [InlineData("token-mean", 10.0 / 20 * 4)]                        // batch_num_tokens 20, dp_size 4
    [InlineData("seq-mean-token-sum", 10.0 / 8 * 4)]                 // global_batch_size 8, dp_size 4
    [InlineData("seq-mean-token-mean", 6.0 / 8 * 4)]
    [InlineData("seq-mean-token-sum-norm", 10.0 / 100)]              // loss_scale_factor 100, dp_size ignored
    public void Global_normalisers(string mode, double expected)
    {
        using var scope = NewDisposeScope();
        var (loss, mask) = Batch();
        var scale = new LossAggregationScale(DpSize: 4, BatchNumTokens: 20, GlobalBatchSize: 8, LossScaleFactor: 100);
        Assert.Equal(expected, LossAggregation.Aggregate(loss, mask, mode, scale).item<double>(), 6);   // seq-mean-token-mean's 1e-8 per count
    }

    [Fact]
    public void An_empty_mask_gives_nan_in_the_mean_modes_as_verl_and_zero_in_sum_norm()
    {
        using var scope = NewDisposeScope();
        var (loss, _) = Batch();
        var empty = zeros(3, 3, float64);
        Assert.True(double.IsNaN(LossAggregation.Aggregate(loss, empty, "token-mean").item<double>()));
        Assert.True(double.IsNaN(LossAggregation.Aggregate(loss, empty, "seq-mean-token-sum").item<double>()));
        Assert.True(double.IsNaN(LossAggregation.Aggregate(loss, empty, "seq-mean-token-mean").item<double>()));
        Assert.Equal(0.0, LossAggregation.Aggregate(loss, empty, "seq-mean-token-sum-norm").item<double>());
    }

    [Fact]
    public void A_one_token_mask_averages_that_token()
    {
        using var scope = NewDisposeScope();
        var (loss, _) = Batch();
        var one = tensor(new double[,] { { 0, 0, 0 }, { 0, 5, 0 }, { 0, 0, 0 } }).gt(0);
        Assert.Equal(5.0, LossAggregation.Aggregate(loss, one, "token-mean").item<double>(), 12);
        Assert.Equal(5.0, LossAggregation.Aggregate(loss, one, "seq-mean-token-mean").item<double>(), 6);
    }

    [Fact]
    public void Unknown_mode_lists_the_valid_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => LossAggregation.ParseMode("seq-mean"));
        Assert.Contains("seq-mean-token-sum-norm", error.Message);
    }
}
