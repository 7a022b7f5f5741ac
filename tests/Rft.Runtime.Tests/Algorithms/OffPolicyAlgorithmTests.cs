using Rft.Algorithms;
using Rft.Training;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms;

/// <summary>Truncated importance weights, the KL-convex term, DPO, RAFT's selection and online DPO's pairs.</summary>
public class OffPolicyAlgorithmTests
{
    [Fact]
    public void Truncated_importance_weights_are_the_ratio_to_the_behaviour_policy_capped_and_masked()
    {
        var old = tensor(new double[,] { { -1.0, -2.0, -0.5 }, { -3.0, -1.0, -1.0 } });
        var behaviour = tensor(new double[,] { { -1.5, -1.0, -0.5 }, { -1.0, -3.0, -9.0 } });
        var mask = tensor(new double[,] { { 1, 1, 1 }, { 1, 1, 0 } });

        var weights = ImportanceWeights.Truncated(old, behaviour, mask, cap: 2.0).data<double>().ToArray();

        Assert.Equal(Math.Exp(0.5), weights[0], 12);        // below the cap: the ratio itself
        Assert.Equal(Math.Exp(-1.0), weights[1], 12);       // the behaviour policy liked the token more: weight below 1
        Assert.Equal(1.0, weights[2], 12);                  // the same policy
        Assert.Equal(Math.Exp(-2.0), weights[3], 12);
        Assert.Equal(2.0, weights[4], 12);                  // e^2 truncated at the cap
        Assert.Equal(0.0, weights[5], 12);                  // outside the mask
        Assert.Throws<ArgumentOutOfRangeException>(() => ImportanceWeights.Truncated(old, behaviour, mask, cap: 0.5));
    }

    [Fact]
    public void Truncated_weights_carry_no_gradient_into_the_loss()
    {
        var old = tensor(new[] { -1.0, -2.0 }, requires_grad: true);
        var weights = ImportanceWeights.Truncated(old, tensor(new[] { -1.5, -1.0 }), ones(2, float64), cap: 2.0);
        Assert.False(weights.requires_grad);
    }

    [Theory]
    [InlineData(KlEstimator.K1)]
    [InlineData(KlEstimator.K3)]
    public void The_kl_convex_term_is_the_weighted_sum_of_the_kl_to_the_base_and_to_the_precedent(KlEstimator estimator)
    {
        var logProbs = tensor(new[] { -0.5, -1.0, -2.0 });
        var baseLogProbs = tensor(new[] { -1.0, -0.2, -2.5 });
        var precedent = tensor(new[] { -0.4, -1.3, -2.0 });
        var toBase = KlEstimators.Estimate(logProbs, baseLogProbs, estimator);
        var toPrecedent = KlEstimators.Estimate(logProbs, precedent, estimator);

        Assert.True(KlConvex.Estimate(logProbs, baseLogProbs, precedent, 1.0, estimator).allclose(toBase));
        Assert.True(KlConvex.Estimate(logProbs, baseLogProbs, precedent, 0.0, estimator).allclose(toPrecedent));
        Assert.True(KlConvex.Estimate(logProbs, baseLogProbs, precedent, 0.3, estimator).allclose(0.3 * toBase + 0.7 * toPrecedent));
        Assert.Throws<ArgumentOutOfRangeException>(() => KlConvex.Estimate(logProbs, baseLogProbs, precedent, 1.5, estimator));
    }

    [Fact]
    public void At_the_precedent_policy_only_the_base_part_of_the_kl_convex_term_pulls()
    {
        // k3's gradient is 0 where the policy equals its target: at the start of an update the precedent part is flat.
        var logProbs = tensor(new[] { -0.7, -1.2 }, float64, requires_grad: true);
        var baseLogProbs = tensor(new[] { -1.0, -0.9 }, float64);
        KlConvex.Estimate(logProbs, baseLogProbs, logProbs.detach(), 0.5, KlEstimator.K3).sum().backward();
        var convex = logProbs.grad!.clone();
        logProbs.grad!.zero_();
        (0.5 * KlEstimators.Estimate(logProbs, baseLogProbs, KlEstimator.K3)).sum().backward();

        Assert.True(convex.allclose(logProbs.grad!, rtol: 0, atol: 1e-12));
    }

    [Fact]
    public void Dpo_loss_is_minus_log_sigmoid_of_beta_times_the_policy_margin_over_the_reference()
    {
        var chosen = tensor(new[] { -2.0, -5.0 }, float64, requires_grad: true);
        var rejected = tensor(new[] { -3.0, -4.0 }, float64, requires_grad: true);
        var refChosen = tensor(new[] { -2.5, -5.0 }, float64);
        var refRejected = tensor(new[] { -2.5, -5.0 }, float64);

        var result = Dpo.Loss(chosen, rejected, refChosen, refRejected, beta: 0.5);

        static double Loss(double margin) => Math.Log(1 + Math.Exp(-margin));
        double first = Loss(0.5 * ((-2.0 + 2.5) - (-3.0 + 2.5))), second = Loss(0.5 * ((-5.0 + 5.0) - (-4.0 + 5.0)));
        Assert.Equal((first + second) / 2, result.Loss.item<double>(), 12);
        Assert.Equal(0.5, result.Accuracy.item<double>(), 12);        // the first pair is already ordered, the second not
        result.Loss.backward();
        // Minimising raises the chosen completions' log-probs and lowers the rejected ones'.
        Assert.All(chosen.grad!.data<double>().ToArray(), g => Assert.True(g < 0));
        Assert.All(rejected.grad!.data<double>().ToArray(), g => Assert.True(g > 0));
        // A micro-batch of a bigger batch is normalised by the whole batch's pairs.
        Assert.Equal((first + second) / 8, Dpo.Loss(chosen, rejected, refChosen, refRejected, 0.5, pairCount: 8).Loss.item<double>(), 12);
    }

    [Fact]
    public void Raft_keeps_the_best_completions_of_each_group_above_the_threshold()
    {
        float nan = float.NaN;
        var scores = new float[] { 0, 1, 1, 0.5f, /* group 2 */ 0.2f, nan, 0.1f, 0, /* group 3 */ nan, nan, nan, nan };
        var keep = new float[12];

        Assert.Equal(4, RewardRanking.Keep(scores, groupSize: 4, topK: 2, threshold: double.NaN, keep));
        Assert.Equal(new float[] { 0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0 }, keep);

        Assert.Equal(1, RewardRanking.Keep(scores, groupSize: 4, topK: 1, threshold: 1.0, keep));
        Assert.Equal(new float[] { 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, keep);      // the earlier of two equal bests; group 2 scores below 1
    }

    [Fact]
    public void Preference_pairs_take_the_best_and_the_worst_of_each_group_and_skip_flat_groups()
    {
        var scores = new float[] { 0, 1, 1, 0.5f, /* flat */ 1, 1, 1, 1, /* one valid */ float.NaN, 0.3f, float.NaN, float.NaN, /* */ 0.2f, float.NaN, 0.9f, 0.1f };
        Span<int> chosen = stackalloc int[4], rejected = stackalloc int[4];

        int pairs = PreferencePairs.Select(scores, 4, chosen, rejected);

        Assert.Equal(2, pairs);
        Assert.Equal(new[] { 1, 14 }, chosen[..pairs].ToArray());
        Assert.Equal(new[] { 0, 15 }, rejected[..pairs].ToArray());
    }
}
