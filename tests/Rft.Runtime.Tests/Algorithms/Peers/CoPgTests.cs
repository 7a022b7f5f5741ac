using Rft.Algorithms;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms.Peers;

public class CoPgTests
{
    [Fact]
    public void Pair_objective_weights_the_log_ratio_gap_by_the_half_regularized_reward_gap()
    {
        using var scope = NewDisposeScope();
        // u = (0.2, -0.4); beta = 0.5; R = (1, 0). R_{beta/2} = R - 0.25 u = (0.95, 0.1);
        // objective (0.95 - 0.1)(0.2 + 0.4) = 0.51, loss -0.51. R_beta = R - 0.5 u = (0.9, 0.2): contrasts (0.7, -0.7).
        var logp = tensor(new double[,] { { -1.0, -0.8 }, { -2.4, -9 } }).requires_grad_();
        var reference = tensor(new double[,] { { -1.0, -1.0 }, { -2.0, 0 } });
        var mask = tensor(new double[,] { { 1, 1 }, { 1, 0 } });
        var result = CoPg.Loss(logp, reference, tensor(new[] { 1.0, 0 }), mask, groupSize: 2, beta: 0.5);

        Assert.Equal(-0.51, result.Loss.item<double>(), 12);
        Assert.Equal(new[] { 0.2, -0.4 }, result.LogRatios.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(new[] { 0.9, 0.2 }, result.RegularizedRewards.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(new[] { 0.7, -0.7 }, result.ContrastiveAdvantages.data<double>().ToArray(), new ToleranceComparer(1e-12));

        // Eq. 18: d objective / d ln pi(y) = R_beta(y) - R_beta(y'), so the loss gradient is -0.7 on y's tokens and +0.7 on y''s.
        result.Loss.backward();
        Assert.Equal(new[] { -0.7, -0.7, 0.7, 0 }, logp.grad!.data<double>().ToArray(), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void In_a_group_each_log_ratio_gets_minus_its_leave_one_out_contrast_over_the_number_of_groups()
    {
        using var scope = NewDisposeScope();
        // k = 4, one token each, beta = 0 so R_beta = R = (1, 0, 0, 3): leave-one-out contrasts
        // 1 - 1 = 0, 0 - 4/3, 0 - 4/3, 3 - 1/3. Two groups (the second all zeros), so the gradient is -contrast / 2.
        var logp = tensor(new double[,] { { -1 }, { -2 }, { -3 }, { -4 }, { -1 }, { -1 }, { -1 }, { -1 } }).requires_grad_();
        var rewards = tensor(new[] { 1.0, 0, 0, 3, 0, 0, 0, 0 });
        var result = CoPg.Loss(logp, zeros(8, 1, float64), rewards, ones(8, 1, float64), groupSize: 4, beta: 0);
        result.Loss.backward();
        var contrasts = new[] { 0, -4.0 / 3, -4.0 / 3, 8.0 / 3, 0, 0, 0, 0 };
        Assert.Equal(contrasts, result.ContrastiveAdvantages.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(contrasts.Select(c => -c / 2), logp.grad!.data<double>().ToArray(), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void With_rewards_of_plus_and_minus_a_quarter_the_gradient_is_that_of_ipo_over_two_beta()
    {
        using var scope = NewDisposeScope();
        // Property 3 of the paper: R(y) = -R(y') = 1/4 makes CoPG follow IPO's (1/2 - beta (u - u'))^2, scaled by 1 / (2 beta).
        const double beta = 0.3;
        var reference = tensor(new double[,] { { -1.1, -0.4 }, { -0.9, -2.0 } });
        var copgPoint = tensor(new double[,] { { -0.7, -0.6 }, { -1.5, -1.2 } }).requires_grad_();
        CoPg.Loss(copgPoint, reference, tensor(new[] { 0.25, -0.25 }), ones(2, 2, float64), groupSize: 2, beta: beta).Loss.backward();

        var ipoPoint = copgPoint.detach().clone().requires_grad_();
        var u = (ipoPoint - reference).sum(-1);
        ((0.5 - beta * (u[0] - u[1])).square() / (2 * beta)).backward();
        Assert.Equal(ipoPoint.grad!.data<double>().ToArray(), copgPoint.grad!.data<double>().ToArray(), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void Gradient_matches_finite_differences()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(29);
        var reference = -rand(new long[] { 6, 3 }, float64, generator: generator) * 2;
        var point = reference + 0.5 * randn(new long[] { 6, 3 }, float64, generator: generator);
        var mask = tensor(new double[,] { { 1, 1, 1 }, { 1, 1, 0 }, { 1, 0, 0 }, { 1, 1, 1 }, { 1, 0, 0 }, { 1, 1, 0 } });
        var rewards = tensor(new[] { 1.0, 0, 0.5, -1, 2, 0 });
        FiniteDifference.AssertGradientMatches(x => CoPg.Loss(x, reference, rewards, mask, groupSize: 3, beta: 0.2).Loss, point);
        FiniteDifference.AssertGradientMatches(x => CoPg.Loss(x, reference, rewards, mask, groupSize: 2, beta: 0.7).Loss, point);
    }

    [Fact]
    public void Bad_groups_rewards_and_beta_are_rejected()
    {
        using var scope = NewDisposeScope();
        var logp = zeros(4, 2, float64);
        var mask = ones(4, 2, float64);
        Assert.Equal("groupSize", Assert.Throws<ArgumentException>(() => CoPg.Loss(logp, logp, zeros(4, float64), mask, groupSize: 1, beta: 0.1)).ParamName);
        Assert.Equal("rewards", Assert.Throws<ArgumentException>(() => CoPg.Loss(logp, logp, zeros(3, float64), mask, groupSize: 2, beta: 0.1)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentOutOfRangeException>(() => CoPg.Loss(logp, logp, zeros(4, float64), mask, groupSize: 2, beta: -1)).ParamName);
    }
}
