using Rft.Algorithms;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms.Peers;

public class PolicyLossFunctionsTests
{
    private static Tensor LogOf(params double[] ratios) => tensor(ratios.Select(r => Math.Log(r)).ToArray()).reshape(1, ratios.Length);

    [Fact]
    public void Vanilla_asymmetric_and_dual_clip_by_hand()
    {
        using var scope = NewDisposeScope();
        // clip (0.2, 0.28), clip_ratio_c 3:
        //  r=2.0, A=+1: l1 = -2, l2 = -1.28 -> -1.28 (clipped)
        //  r=0.5, A=-1: l1 = 0.5, l2 = 0.8 -> 0.8 (clipped); dual bound 3 not reached
        //  r=5.0, A=-1: l1 = 5, l2 = 1.28 -> 5, above -A c = 3 -> 3 (dual clip, lower)
        //  r=1.1, A=+1: inside -> -1.1
        //  r=0.5, A=+2: l1 = -1, l2 = -1.6 -> -1 (unclipped branch is the pessimistic one)
        var logp = LogOf(2.0, 0.5, 5.0, 1.1, 0.5);
        var advantages = tensor(new double[,] { { 1, -1, -1, 1, 2 } });
        var mask = ones(1, 5, float64);
        var result = PolicyLossFunctions.Vanilla(zeros(1, 5, float64), logp, advantages, mask, clipRatio: 0.2, clipRatioHigh: 0.28);
        Assert.Equal(new[] { -1.28, 0.8, 3, -1.1, -1 }, result.PgLosses.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(0.42 / 5, result.PgLoss.item<double>(), 12);                       // (-1.28 + 0.8 + 3 - 1.1 - 1) / 5
        Assert.Equal(2 / (5 + 1e-8), result.PgClipfrac.item<double>(), 12);
        Assert.Equal(1 / (5 + 1e-8), result.PgClipfracLower.item<double>(), 12);
        Assert.Equal(-Math.Log(2.0 * 0.5 * 5.0 * 1.1 * 0.5) / 5, result.PpoKl.item<double>(), 8);
    }

    [Fact]
    public void Vanilla_mask_weights_and_aggregation()
    {
        using var scope = NewDisposeScope();
        var logp = LogOf(2.0, 0.5, 5.0);
        var advantages = tensor(new double[,] { { 1, -1, -1 } });
        var mask = tensor(new double[,] { { 1, 1, 0 } });
        var weights = tensor(new double[,] { { 0.5, 2, 1 } });
        var result = PolicyLossFunctions.Vanilla(zeros(1, 3, float64), logp, advantages, mask, clipRatioHigh: 0.28, rolloutIsWeights: weights,
            lossAggMode: LossAggregationMode.SeqMeanTokenSum);
        // Weighted: -1.28 * 0.5 = -0.64, 0.8 * 2 = 1.6; one sequence: token sum 0.96.
        Assert.Equal(0.96, result.PgLoss.item<double>(), 12);
        Assert.Equal(0.0, result.PgClipfracLower.item<double>());                       // the dual-clipped token is masked
    }

    [Fact]
    public void Vanilla_rejects_clip_ratio_c_not_above_one()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentOutOfRangeException>(() => PolicyLossFunctions.Vanilla(zeros(1, 1), zeros(1, 1), ones(1, 1), ones(1, 1), clipRatioC: 1.0));
    }

    [Fact]
    public void Vanilla_gradient_matches_finite_differences()
    {
        using var scope = NewDisposeScope();
        var old = tensor(new double[,] { { -1.0, -0.5, -2.0 }, { -0.3, -1.2, -0.7 } });
        var advantages = tensor(new double[,] { { 1.5, -0.5, -2.0 }, { 0.7, 0.7, -1.1 } });
        var mask = tensor(new double[,] { { 1, 1, 1 }, { 1, 1, 0 } });
        // Log-ratios 0.1, -0.05, 0.15, -0.1, 0.05: all inside (1 - 0.2, 1 + 0.28), so every token has a gradient.
        var point = old + tensor(new double[,] { { 0.1, -0.05, 0.15 }, { -0.1, 0.05, 0.3 } });
        foreach (var mode in Enum.GetValues<LossAggregationMode>())
            FiniteDifference.AssertGradientMatches(logp => PolicyLossFunctions.Vanilla(old, logp, advantages, mask, clipRatioHigh: 0.28, lossAggMode: mode).PgLoss, point);
    }

    [Fact]
    public void Vanilla_gradient_is_zero_on_clipped_tokens()
    {
        using var scope = NewDisposeScope();
        var logp = LogOf(2.0, 5.0, 1.1).requires_grad_();
        var result = PolicyLossFunctions.Vanilla(zeros(1, 3, float64), logp, tensor(new double[,] { { 1, -1, 1 } }), ones(1, 3, float64));
        result.PgLoss.backward();
        // Clipped above (r = 2, A > 0) and dual-clipped (r = 5, A < 0) have no gradient; r = 1.1: d(-A r / 3) / d logp = -1.1 / 3.
        Assert.Equal(new[] { 0, 0, -1.1 / 3 }, logp.grad!.data<double>().ToArray(), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void Gspo_uses_the_sequence_ratio_for_every_token()
    {
        using var scope = NewDisposeScope();
        // Row 0: log-ratios (ln 2, 0) -> s = e^(ln 2 / 2) = sqrt 2, A = +1: max(-1.414, -1.2) = -1.2 on both tokens.
        // Row 1: log-ratios (ln 0.25, 0, masked ln 8) -> s = e^(ln 0.25 / 2) = 0.5, A = -1: max(0.5, 0.8) = 0.8.
        var logp = tensor(new double[,] { { Math.Log(2), 0, 0 }, { Math.Log(0.25), 0, Math.Log(8) } });
        var mask = tensor(new double[,] { { 1, 1, 0 }, { 1, 1, 0 } });
        var advantages = tensor(new double[,] { { 1, 1, 1 }, { -1, -1, -1 } });
        var result = PolicyLossFunctions.Gspo(zeros(2, 3, float64), logp, advantages, mask);
        Assert.Equal(-1.2, result.PgLosses[0, 0].item<double>(), 12);
        Assert.Equal(0.8, result.PgLosses[1, 1].item<double>(), 12);
        Assert.Equal((-1.2 + 0.8) / 2, result.PgLoss.item<double>(), 7);                 // seq-mean-token-mean
        Assert.Equal(4 / (4 + 1e-8), result.PgClipfrac.item<double>(), 12);
        Assert.Equal(0.0, result.PgClipfracLower.item<double>());
        Assert.Equal(-(Math.Log(2) + Math.Log(0.25)) / 4, result.PpoKl.item<double>(), 7);   // masked_mean's 1e-8
    }

    [Fact]
    public void Gspo_gradient_matches_finite_differences_with_sequence_advantages()
    {
        using var scope = NewDisposeScope();
        // The straight-through ratio equals the sequence ratio in value; its gradient is the sequence ratio's when each
        // sequence has one advantage (GSPO's setting), which is what the finite differences see.
        var old = tensor(new double[,] { { -1.0, -0.5, -2.0 }, { -0.3, -1.2, -0.7 } });
        var advantages = tensor(new double[,] { { 1.5, 1.5, 1.5 }, { -0.7, -0.7, -0.7 } });
        var mask = tensor(new double[,] { { 1, 1, 1 }, { 1, 1, 0 } });
        var point = old + tensor(new double[,] { { 0.1, -0.05, 0.15 }, { -0.1, 0.05, 0.3 } });
        FiniteDifference.AssertGradientMatches(logp => PolicyLossFunctions.Gspo(old, logp, advantages, mask).PgLoss, point);
    }

    [Fact]
    public void Value_loss_clips_the_prediction_around_the_old_value()
    {
        using var scope = NewDisposeScope();
        // Token 0: clamp(1.5, 0.8, 1.2) = 1.2; (1.5 - 2)² = 0.25 < (1.2 - 2)² = 0.64 -> 0.64, clipped.
        // Token 1: inside; both errors 1 -> 1, not clipped. Loss 0.5 * (0.64 + 1) / 2 = 0.41.
        var result = PolicyLossFunctions.ValueLoss(tensor(new double[,] { { 1.5, 0 } }), tensor(new double[,] { { 1, 0 } }), tensor(new double[,] { { 2, 1 } }), ones(1, 2, float64), 0.2);
        Assert.Equal(0.41, result.VfLoss.item<double>(), 12);
        Assert.Equal(new[] { 0.64, 1 }, result.ClippedVfLosses.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(1 / (2 + 1e-8), result.VfClipfrac.item<double>(), 12);
    }

    [Fact]
    public void Value_loss_gradient_matches_finite_differences()
    {
        using var scope = NewDisposeScope();
        var values = tensor(new double[,] { { 1, 0, -1 } });
        var returns = tensor(new double[,] { { 2, 0.5, -3 } });
        var mask = tensor(new double[,] { { 1, 1, 1 } });
        // Predictions 1.05 and 0.1 inside the clip range; -1.1 too. Gradient (v - R) / 3 per token.
        var point = tensor(new double[,] { { 1.05, 0.1, -1.1 } });
        FiniteDifference.AssertGradientMatches(v => PolicyLossFunctions.ValueLoss(v, values, returns, mask, 0.2).VfLoss, point);
    }

    [Fact]
    public void Float32_inputs_give_float32_results_equal_to_float64()
    {
        using var scope = NewDisposeScope();
        var old = tensor(new double[,] { { -1.0, -0.5, -2.0 }, { -0.3, -1.2, -0.7 } });
        var logp = old + tensor(new double[,] { { 0.7, -0.05, -0.9 }, { -0.1, 0.05, 0.3 } });
        var advantages = tensor(new double[,] { { 1.5, -0.5, -2.0 }, { 0.7, 0.7, -1.1 } });
        var mask = tensor(new double[,] { { 1, 1, 1 }, { 1, 1, 0 } });
        var wide = PolicyLossFunctions.Vanilla(old, logp, advantages, mask, clipRatioHigh: 0.28);
        var narrow = PolicyLossFunctions.Vanilla(old.to_type(ScalarType.Float32), logp.to_type(ScalarType.Float32), advantages.to_type(ScalarType.Float32), mask.to_type(ScalarType.Float32), clipRatioHigh: 0.28);
        Assert.Equal(ScalarType.Float32, narrow.PgLoss.dtype);
        Assert.Equal(wide.PgLoss.item<double>(), narrow.PgLoss.item<float>(), 5);
        Assert.Equal(wide.PgClipfrac.item<double>(), narrow.PgClipfrac.item<float>(), 5);
        var gspo = PolicyLossFunctions.Gspo(old.to_type(ScalarType.Float32), logp.to_type(ScalarType.Float32), advantages.to_type(ScalarType.Float32), mask.to_type(ScalarType.Float32));
        Assert.Equal(PolicyLossFunctions.Gspo(old, logp, advantages, mask).PgLoss.item<double>(), gspo.PgLoss.item<float>(), 5);
    }

    [Fact]
    public void Empty_mask_gives_nan_loss_as_verl_and_zero_metrics_while_one_token_gives_that_token()
    {
        using var scope = NewDisposeScope();
        var logp = LogOf(2.0, 0.5);
        var advantages = tensor(new double[,] { { 1, -1 } });
        // Empty: token-mean is 0 / 0 (verl adds no epsilon in agg_loss); the metrics use masked_mean's 1e-8 -> 0.
        var empty = PolicyLossFunctions.Vanilla(zeros(1, 2, float64), logp, advantages, zeros(1, 2, float64));
        Assert.True(double.IsNaN(empty.PgLoss.item<double>()));
        Assert.Equal(0.0, empty.PgClipfrac.item<double>());
        Assert.Equal(0.0, empty.PpoKl.item<double>());
        Assert.True(double.IsNaN(PolicyLossFunctions.Gspo(zeros(1, 2, float64), logp, advantages, zeros(1, 2, float64)).PgLoss.item<double>()));
        // One token (the second): loss 0.8 (r = 0.5, A = -1 clipped at 0.8).
        var one = PolicyLossFunctions.Vanilla(zeros(1, 2, float64), logp, advantages, tensor(new double[,] { { 0, 1 } }));
        Assert.Equal(0.8, one.PgLoss.item<double>(), 12);
        Assert.Equal(1 / (1 + 1e-8), one.PgClipfrac.item<double>(), 12);
    }
}
