using Rft.Algorithms;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms.Peers;

public class ToprTests
{
    [Fact]
    public void Positive_rewards_are_untapered_and_negative_ones_are_truncated_importance_weighted()
    {
        using var scope = NewDisposeScope();
        // logp = (-1, -2, -0.5), old = (-1.5, -1, -1): ratios e^0.5 (R = +1, alpha 1), e^-1 (R = -1, alpha e^-1), e^0.5 (R = -2, alpha clamped to 1).
        // Token losses: -1 * 1 * -1 = 1; -(e^-1) * -1 * -2 = -2 e^-1; -1 * -2 * -0.5 = -1.
        var logp = tensor(new double[,] { { -1, -2, -0.5 } });
        var old = tensor(new double[,] { { -1.5, -1, -1 } });
        var rewards = tensor(new double[,] { { 1, -1, -2 } });
        var result = Topr.Loss(old, logp, rewards, ones(1, 3, float64));
        Assert.Equal(new[] { 1, -2 * Math.Exp(-1), -1 }, result.TokenLosses.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal((1 - 2 * Math.Exp(-1) - 1) / 3, result.Loss.item<double>(), 9);
        Assert.Equal((1 + Math.Exp(-1) + 1) / 3, result.AvgAlpha.item<double>(), 7);
    }

    [Fact]
    public void Gradient_is_minus_alpha_times_reward_with_alpha_held_constant()
    {
        using var scope = NewDisposeScope();
        var logp = tensor(new double[,] { { -1, -2, -0.5 } }).requires_grad_();
        var result = Topr.Loss(tensor(new double[,] { { -1.5, -1, -1 } }), logp, tensor(new double[,] { { 1, -1, -2 } }), ones(1, 3, float64));
        result.Loss.backward();
        // d/dlogp (-sg(alpha) R logp) / 3 = -alpha R / 3: (-1/3, e^-1 / 3, 2/3).
        Assert.Equal(new[] { -1.0 / 3, Math.Exp(-1) / 3, 2.0 / 3 }, logp.grad!.data<double>().ToArray(), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void Gradient_matches_finite_differences_where_alpha_is_constant()
    {
        using var scope = NewDisposeScope();
        // Positive rewards (alpha 1) and a negative reward whose ratio is above 1 (alpha clamped to 1): alpha does not move.
        var old = tensor(new double[,] { { -1.5, -1, -1 }, { -0.2, -0.3, -0.4 } });
        var rewards = tensor(new double[,] { { 1, 0.5, -2 }, { 2, 2, 2 } });
        var mask = tensor(new double[,] { { 1, 1, 1 }, { 1, 0, 1 } });
        var point = old + 0.3;
        foreach (var mode in Enum.GetValues<LossAggregationMode>())
            FiniteDifference.AssertGradientMatches(x => Topr.Loss(old, x, rewards, mask, lossAggMode: mode).Loss, point);
    }
}
