using Rft.Algorithms;
using Rft.Algorithms.Peers;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms.Peers;

public class KlPenaltyAndEntropyTests
{
    [Theory]
    [InlineData("kl", 0.5)]
    [InlineData("k1", 0.5)]
    [InlineData("abs", 0.5)]
    [InlineData("mse", 0.125)]                                      // 0.5 * 0.5²
    [InlineData("k2", 0.125)]
    [InlineData("low_var_kl", 0.10653065971263342)]                  // e^-0.5 - (-0.5) - 1
    [InlineData("k3", 0.10653065971263342)]
    public void Modes_for_d_equal_to_a_half(string mode, double expected)
    {
        using var scope = NewDisposeScope();
        var kl = KlPenalty.Estimate(tensor(new[] { 0.25 }), tensor(new[] { -0.25 }), mode).item<double>();
        Assert.Equal(expected, kl, 12);
    }

    [Fact]
    public void K3_clamps_the_log_ratio_and_the_estimate()
    {
        using var scope = NewDisposeScope();
        // d = -30: x = clamp(30, -20, 20) = 20, e^20 - 21 is far above 10 -> 10.
        // d = +30: x = -20, e^-20 + 20 - 1 = 19.000000002 -> 10.
        var kl = KlPenalty.Estimate(tensor(new[] { -30.0, 30.0 }), zeros(2, float64), "k3").data<double>().ToArray();
        Assert.Equal(new[] { 10.0, 10.0 }, kl);
    }

    [Fact]
    public void Straight_through_mode_has_k3_value_and_k2_gradient()
    {
        using var scope = NewDisposeScope();
        var logprob = tensor(new[] { 0.5 }).requires_grad_();
        var kl = KlPenalty.Estimate(logprob, zeros(1, float64), "k3+");
        Assert.Equal(Math.Exp(-0.5) + 0.5 - 1, kl.item<double>(), 12);
        kl.sum().backward();
        Assert.Equal(0.5, logprob.grad!.item<double>(), 12);        // d/dd (d²/2) = d
    }

    [Fact]
    public void Full_and_unknown_modes_raise()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<NotSupportedException>(() => KlPenalty.Estimate(zeros(1), zeros(1), "full"));
        var error = Assert.Throws<ArgumentException>(() => KlPenalty.Estimate(zeros(1), zeros(1), "k4"));
        Assert.Contains("low_var_kl", error.Message);
    }

    [Fact]
    public void Compute_rewards_subtracts_the_k1_penalty()
    {
        using var scope = NewDisposeScope();
        // 1 - (-0.5 - (-1.0)) * 0.1 = 0.95; 0 - (-2 - 0) * 0.1 = 0.2
        var rewards = KlPenalty.ComputeRewards(tensor(new[] { 1.0, 0.0 }), tensor(new[] { -0.5, -2.0 }), tensor(new[] { -1.0, 0.0 }), 0.1).data<double>().ToArray();
        Assert.Equal(0.95, rewards[0], 12);
        Assert.Equal(0.2, rewards[1], 12);
    }

    [Fact]
    public void Kl_in_reward_masks_the_penalty_and_reports_the_mean_sequence_kl()
    {
        using var scope = NewDisposeScope();
        // k1 = old - ref = (0.5, 1 | 0.2, 9 masked): rewards 1 - 0.1 * (0.5, 1 | 0.2, 0);
        // current KL = mean(0.75 / (1 + 1e-8 relative), 0.2) ~ 0.475.
        var scores = tensor(new double[,] { { 1, 1 }, { 1, 1 } });
        var old = tensor(new double[,] { { 0.5, 1 }, { 0.2, 9 } });
        var mask = tensor(new double[,] { { 1, 1 }, { 1, 0 } });
        var (rewards, currentKl) = KlPenalty.InReward(scores, old, zeros(2, 2, float64), mask, beta: 0.1);
        Assert.Equal(new[] { 0.95, 0.9, 0.98, 1 }, rewards.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(0.475, currentKl, 7);
    }

    [Fact]
    public void Kl_as_loss_aggregates_the_estimate_and_has_the_k3_gradient()
    {
        using var scope = NewDisposeScope();
        // k3 of d = 0.5 and d = -0.5, token mean: (e^-0.5 + 0.5 - 1 + e^0.5 - 0.5 - 1) / 2.
        var logp = tensor(new double[,] { { 0.5, -0.5 } });
        var loss = KlPenalty.AsLoss(logp, zeros(1, 2, float64), ones(1, 2, float64));
        Assert.Equal((Math.Exp(-0.5) + Math.Exp(0.5) - 2) / 2, loss.item<double>(), 12);
        FiniteDifference.AssertGradientMatches(x => KlPenalty.AsLoss(x, zeros(1, 2, float64), ones(1, 2, float64)), logp);
    }

    [Fact]
    public void Adaptive_controller_moves_by_at_most_twenty_percent_of_steps_over_horizon()
    {
        var controller = new AdaptiveKlController(0.1, targetKl: 1.0, horizon: 100);
        controller.Update(currentKl: 5.0, steps: 10);                 // error clipped to 0.2: 0.1 * (1 + 0.2 * 10 / 100)
        Assert.Equal(0.102, controller.Value, 12);
        controller.Update(currentKl: 0.95, steps: 100);               // error -0.05: 0.102 * 0.95
        Assert.Equal(0.102 * 0.95, controller.Value, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveKlController(0.1, 1, 0));
    }

    [Fact]
    public void Entropy_of_uniform_and_of_two_point_distributions()
    {
        using var scope = NewDisposeScope();
        // Uniform over 4: ln 4. Logits (0, ln 3): p = (1/4, 3/4), H = -(1/4 ln 1/4 + 3/4 ln 3/4).
        var logits = tensor(new double[,,] { { { 0, 0, 0, 0 }, { 0, Math.Log(3), double.NegativeInfinity, double.NegativeInfinity } } });
        var h = Entropy.FromLogits(tensor(new double[,,] { { { 0, 0, 0, 0 }, { 0, Math.Log(3), -1e9, -1e9 } } })).data<double>().ToArray();
        Assert.Equal(Math.Log(4), h[0], 12);
        Assert.Equal(-(0.25 * Math.Log(0.25) + 0.75 * Math.Log(0.75)), h[1], 9);
        Assert.Equal(new long[] { 1, 2 }, Entropy.FromLogits(logits).shape);
    }

    [Fact]
    public void Entropy_loss_aggregates_the_token_entropies()
    {
        using var scope = NewDisposeScope();
        // Token entropies ln 4 and ln 2 (uniform over 4 and over 2 of 4); only the first is masked.
        var logits = tensor(new double[,,] { { { 0, 0, 0, 0 }, { 0, 0, -1e9, -1e9 } } });
        var (loss, tokens) = Entropy.Loss(logits, tensor(new double[,] { { 1, 0 } }));
        Assert.Equal(Math.Log(4), loss.item<double>(), 9);
        Assert.Equal(Math.Log(2), tokens.data<double>()[1], 9);
    }
}
