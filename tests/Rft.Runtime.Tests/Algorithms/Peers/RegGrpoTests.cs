using Rft.Algorithms;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms.Peers;

public class RegGrpoTests
{
    [Fact]
    public void Loss_is_the_mean_squared_gap_between_target_and_group_normalized_log_ratios()
    {
        using var scope = NewDisposeScope();
        // One group of three; sequence log-ratios rho = (1, 0, -1) over the masked tokens: mean 0, unbiased std 1,
        // so the predicted advantages are (1, 0, -1). Targets (0.5, 0.5, -1): errors (0.5, -0.5, 0), loss 0.5 / 3.
        var old = tensor(new double[,] { { -1, -1, -1 }, { -2, -1, -3 }, { -1, -1, -9 } });
        var logp = tensor(new double[,] { { -0.5, -0.5, -1 }, { -2, -1, 5 }, { -1.5, -1.5, 7 } });
        var mask = tensor(new double[,] { { 1, 1, 1 }, { 1, 1, 0 }, { 1, 1, 0 } });
        var result = RegGrpo.Loss(old, logp, tensor(new[] { 0.5, 0.5, -1 }), mask, groupSize: 3, epsilon: 0);

        Assert.Equal(new[] { 1.0, 0, -1 }, result.LogRatios.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(new[] { 1.0, 0, -1 }, result.PredictedAdvantages.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(new[] { 0.25, 0.25, 0 }, result.SequenceLosses.data<double>().ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(0.5 / 3, result.Loss.item<double>(), 12);
    }

    [Fact]
    public void Gradient_includes_the_dependence_of_the_group_mean_and_std_on_each_log_ratio()
    {
        using var scope = NewDisposeScope();
        // With sigma = 1 and mu = 0: d Ahat_i / d rho_j = delta_ij - 1/3 - rho_i rho_j / 2, so
        // d loss / d rho_j = (2/3) (e_j - (sum e)/3 - (rho_j / 2) sum_i e_i rho_i) with e = (0.5, -0.5, 0) and sum e_i rho_i = 0.5:
        // (2/3)(0.25, -0.5, 0.25) = (1/6, -1/3, 1/6), reaching every masked token of the row and no other.
        var old = zeros(3, 2, float64);
        var logp = tensor(new double[,] { { 0.25, 0.75 }, { 0, 4 }, { -1, 0 } }).requires_grad_();
        var mask = tensor(new double[,] { { 1, 1 }, { 1, 0 }, { 1, 1 } });
        RegGrpo.Loss(old, logp, tensor(new[] { 0.5, 0.5, -1 }), mask, groupSize: 3, epsilon: 0).Loss.backward();
        Assert.Equal(new[] { 1.0 / 6, 1.0 / 6, -1.0 / 3, 0, 1.0 / 6, 1.0 / 6 }, logp.grad!.data<double>().ToArray(), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void Log_ratios_that_rank_a_pair_like_the_rewards_cost_nothing_and_the_reverse_ranking_costs_two()
    {
        using var scope = NewDisposeScope();
        // A pair's normalized values are +-1/sqrt(2) whatever their scale, for targets and predictions alike.
        var targets = GroupAdvantages.Grpo(tensor(new[] { 1.0, 0, 0, 1 }), groupSize: 2, epsilon: 0, scaleByStd: true);
        var logp = tensor(new double[,] { { 0.3 }, { -0.1 }, { 0.3 }, { -0.1 } });
        var result = RegGrpo.Loss(zeros(4, 1, float64), logp, targets, ones(4, 1, float64), groupSize: 2, epsilon: 0);
        Assert.Equal(new[] { 0.0, 0, 2, 2 }, result.SequenceLosses.data<double>().ToArray(), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void On_policy_the_gradient_points_along_grpo_and_a_tied_group_stays_finite()
    {
        using var scope = NewDisposeScope();
        // Right after a rollout every rho is 0: the gradient is -(2 / (N eps)) * Ahat_i per token; a group whose rewards tie
        // (targets 0) gets exactly zero and no NaN from the std.
        var logp = tensor(new double[,] { { -1, -2 }, { -3, -1 }, { -1, -1 }, { -2, -2 } }).requires_grad_();
        var targets = tensor(new[] { 0.7, -0.7, 0, 0 });
        RegGrpo.Loss(logp.detach(), logp, targets, ones(4, 2, float64), groupSize: 2, epsilon: 0.01).Loss.backward();
        double scale = 2.0 / (4 * 0.01);
        Assert.Equal(new[] { -0.7 * scale, -0.7 * scale, 0.7 * scale, 0.7 * scale, 0, 0, 0, 0 }, logp.grad!.data<double>().ToArray(), new ToleranceComparer(1e-9));
    }

    [Fact]
    public void Gradient_matches_finite_differences()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(13);
        var old = -rand(new long[] { 6, 4 }, float64, generator: generator) * 2;
        var point = old + 0.3 * randn(new long[] { 6, 4 }, float64, generator: generator);
        var mask = tensor(new double[,] { { 1, 1, 1, 1 }, { 1, 1, 0, 0 }, { 1, 0, 0, 0 }, { 1, 1, 1, 0 }, { 1, 1, 1, 1 }, { 1, 1, 0, 0 } });
        var targets = GroupAdvantages.Grpo(tensor(new[] { 1.0, 0, 0.5, 0, 1, 1 }), groupSize: 3, epsilon: 1e-4, scaleByStd: true);
        FiniteDifference.AssertGradientMatches(x => RegGrpo.Loss(old, x, targets, mask, groupSize: 3).Loss, point, tolerance: 1e-6);
    }

    [Fact]
    public void Groups_of_one_and_mismatched_advantages_are_rejected()
    {
        using var scope = NewDisposeScope();
        var logp = zeros(4, 2, float64);
        Assert.Equal("groupSize", Assert.Throws<ArgumentException>(() => RegGrpo.Loss(logp, logp, zeros(4, float64), ones(4, 2, float64), groupSize: 1)).ParamName);
        Assert.Equal("groupSize", Assert.Throws<ArgumentException>(() => RegGrpo.Loss(logp, logp, zeros(4, float64), ones(4, 2, float64), groupSize: 3)).ParamName);
        Assert.Equal("advantages", Assert.Throws<ArgumentException>(() => RegGrpo.Loss(logp, logp, zeros(4, 2, float64), ones(4, 2, float64), groupSize: 2)).ParamName);
    }
}
