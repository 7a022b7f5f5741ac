using Rft.Algorithms;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms.Peers;

public class AdvantageEstimatorsTests
{
    // Groups by index, not adjacent: a = rows 0, 2, 5 (scores 1, 0, 2); b = rows 1, 4 (2, 2, all equal); c = row 3 (3, singleton).
    private static readonly string[] Index = ["a", "b", "a", "c", "b", "a"];

    private static Tensor Rewards() => tensor(new double[,] { { 0, 1 }, { 2, 0 }, { 0, 0 }, { 3, 0 }, { 1, 1 }, { 2, 0 } });

    private static Tensor Mask() => tensor(new double[,] { { 1, 1 }, { 1, 0 }, { 1, 1 }, { 1, 0 }, { 1, 1 }, { 1, 0 } });

    private static double[] PerRow(Tensor advantages) => advantages.select(1, 0).data<double>().ToArray();

    [Fact]
    public void Grpo_by_index_with_all_equal_and_singleton_groups()
    {
        using var scope = NewDisposeScope();
        var (advantages, returns) = AdvantageEstimators.Grpo(Rewards(), Mask(), Index);
        // a: mean 1, unbiased std sqrt((0 + 1 + 1) / 2) = 1 -> 0, -1/(1+1e-6), 1/(1+1e-6);
        // b: std 0 -> 0 / 1e-6 = 0; c: mean 0, std 1 -> 3 / (1 + 1e-6).
        double e = 1 + 1e-6;
        var expected = new[] { 0, 0, -1 / e, 3 / e, 0, 1 / e };
        Assert.Equal(expected, PerRow(advantages), new ToleranceComparer(1e-12));
        Assert.Equal(0.0, advantages[1, 1].item<double>());          // masked token
        Assert.Equal(-1 / e, advantages[2, 1].item<double>(), 12);   // broadcast over valid tokens
        Assert.Same(advantages, returns);
    }

    [Fact]
    public void Dr_grpo_only_centres()
    {
        using var scope = NewDisposeScope();
        var (advantages, _) = AdvantageEstimators.Grpo(Rewards(), Mask(), Index, normAdvByStd: false);
        Assert.Equal(new double[] { 0, 0, -1, 3, 0, 1 }, PerRow(advantages), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void Grpo_keeps_float32()
    {
        using var scope = NewDisposeScope();
        var (advantages, _) = AdvantageEstimators.Grpo(Rewards().to_type(ScalarType.Float32), Mask().to_type(ScalarType.Float32), Index);
        Assert.Equal(ScalarType.Float32, advantages.dtype);
        Assert.Equal(1 / (1 + 1e-6), advantages[5, 0].item<float>(), 6);
    }

    [Fact]
    public void Index_length_must_match_the_batch()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => AdvantageEstimators.Grpo(Rewards(), Mask(), new[] { "a" }));
        Assert.Contains("one group key per row", error.Message);
    }

    [Fact]
    public void Rloo_subtracts_the_mean_of_the_others()
    {
        using var scope = NewDisposeScope();
        var (advantages, _) = AdvantageEstimators.Rloo(Rewards(), Mask(), Index);
        // a (n = 3): s * 3/2 - 1 * 3/2 -> 0, -1.5, 1.5 (row 2: 0 - (1 + 2) / 2); b: 0; c singleton: unchanged 3.
        Assert.Equal(new double[] { 0, 0, -1.5, 3, 0, 1.5 }, PerRow(advantages), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void Reinforce_plus_plus_baseline_centres_by_group_then_whitens_the_batch()
    {
        using var scope = NewDisposeScope();
        var (advantages, _) = AdvantageEstimators.ReinforcePlusPlusBaseline(Rewards(), Mask(), Index);
        // Centred: a 0, -1, 1; b 0, 0; c 3 (singleton mean 0). Masked tokens (9): 0,0 | 0 | -1,-1 | 3 | 0,0 | 1.
        // mean 2/9; sum of squared deviations 12 - 9 (2/9)² = 104/9; unbiased var 104/72 = 13/9.
        double mean = 2.0 / 9, std = Math.Sqrt(13.0 / 9 + 1e-8);
        Assert.Equal((3 - mean) / std, advantages[3, 0].item<double>(), 6);
        Assert.Equal((-1 - mean) / std, advantages[2, 1].item<double>(), 6);
        Assert.Equal((0 - mean) / std, advantages[0, 0].item<double>(), 6);
        Assert.Equal(0.0, advantages[3, 1].item<double>());
    }

    [Fact]
    public void Reinforce_plus_plus_resets_the_return_after_the_last_valid_token()
    {
        using var scope = NewDisposeScope();
        var rewards = tensor(new double[,] { { 0, 1, 5 }, { 1, 0, 0 } });
        var mask = tensor(new double[,] { { 1, 1, 0 }, { 1, 1, 1 } });
        var (advantages, returns) = AdvantageEstimators.ReinforcePlusPlus(rewards, mask, gamma: 0.5);
        // Row 0: G2 = 5 (then reset, it is padding), G1 = 1, G0 = 0 + 0.5 * 1; row 1: 1, 0, 0.
        Assert.Equal(new[] { 0.5, 1, 5, 1, 0, 0 }, returns.data<double>().ToArray(), new ToleranceComparer(1e-12));
        // Masked returns 0.5, 1, 1, 0, 0: mean 0.5, unbiased var 1/4 -> (G - 0.5) / 0.5, times the mask.
        Assert.Equal(new[] { 0.0, 1, 0, 1, -1, -1 }, advantages.data<double>().ToArray(), new ToleranceComparer(1e-6));
    }

    [Fact]
    public void Reinforce_plus_plus_raises_on_a_one_token_mask()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => AdvantageEstimators.ReinforcePlusPlus(ones(1, 2, float64), tensor(new double[,] { { 1, 0 } }), 1.0));
    }

    [Fact]
    public void ReMax_subtracts_the_greedy_baseline_from_the_reverse_cumulative_return()
    {
        using var scope = NewDisposeScope();
        var (advantages, returns) = AdvantageEstimators.ReMax(tensor(new double[,] { { 0, 1, 5 } }), tensor(new[] { 0.25 }), tensor(new double[,] { { 1, 1, 0 } }));
        Assert.Equal(new[] { 1.0, 1, 0 }, returns.data<double>().ToArray());
        Assert.Equal(new[] { 0.75, 0.75, 0 }, advantages.data<double>().ToArray());
    }

    [Fact]
    public void Gae_skips_masked_positions_and_whitens()
    {
        using var scope = NewDisposeScope();
        var rewards = tensor(new double[,] { { 0, 1 }, { 2, 7 } });
        var values = tensor(new double[,] { { 0.5, 0.25 }, { 1, 3 } });
        var mask = tensor(new double[,] { { 1, 1 }, { 1, 0 } });
        var (advantages, returns) = AdvantageEstimators.Gae(rewards, values, mask, gamma: 0.5, lam: 0.5);
        // Row 0: t1 delta = 1 - 0.25 = 0.75; t0 delta = 0 + 0.5 * 0.25 - 0.5 = -0.375, A0 = -0.375 + 0.25 * 0.75 = -0.1875.
        // Row 1: t1 is masked (A stays 0, next value stays 0); t0 delta = 2 + 0 - 1 = 1.
        Assert.Equal(new[] { -0.1875 + 0.5, 0.75 + 0.25, 1 + 1, 0 + 3 }, returns.data<double>().ToArray(), new ToleranceComparer(1e-12));
        double[] raw = [-0.1875, 0.75, 1, 0];
        double mean = (raw[0] + raw[1] + raw[2]) / 3;
        double variance = ((raw[0] - mean) * (raw[0] - mean) + (raw[1] - mean) * (raw[1] - mean) + (raw[2] - mean) * (raw[2] - mean)) / 2;
        var expected = raw.Select(a => (a - mean) / Math.Sqrt(variance + 1e-8)).ToArray();   // masked positions whitened too
        Assert.Equal(expected, advantages.data<double>().ToArray(), new ToleranceComparer(1e-6));
    }
}
