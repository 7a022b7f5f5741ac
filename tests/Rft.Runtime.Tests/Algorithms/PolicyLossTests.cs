using Rft.Algorithms;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms;

public class PolicyLossTests
{
    [Fact]
    public void The_clipped_surrogate_clips_ratios_outside_both_bounds_by_the_sign_of_the_advantage()
    {
        using var scope = NewDisposeScope();
        // Ratios 2.0, 0.5, 1.1, 0.5 with advantages +1, -1, +1, +1 and clip (0.2, 0.28):
        //  r=2.0, A=+1: min objective -> clipped at 1.28, loss -1.28, clipped
        //  r=0.5, A=-1: clipped at 0.8 -> loss max(0.5, 0.8) = 0.8, clipped (below the dual clip's 3)
        //  r=1.1, A=+1: inside the range -> loss -1.1, not clipped
        //  r=0.5, A=+1: the pessimistic branch is the unclipped one -> loss -0.5, not clipped
        var ratios = new[] { 2.0, 0.5, 1.1, 0.5 };
        var old = zeros(1, 4);
        var logp = tensor(ratios.Select(r => (float)Math.Log(r)).ToArray()).reshape(1, 4);
        var advantages = tensor(new float[] { 1, -1, 1, 1 }).reshape(1, 4);
        var result = PolicyLossFunctions.Vanilla(old, logp, advantages, ones(1, 4), clipRatioLow: 0.2, clipRatioHigh: 0.28);
        var loss = result.PgLosses.data<float>().ToArray();
        Assert.Equal(-1.28f, loss[0], 4);
        Assert.Equal(0.8f, loss[1], 4);
        Assert.Equal(-1.1f, loss[2], 4);
        Assert.Equal(-0.5f, loss[3], 4);
        Assert.Equal(0.5f, result.PgClipfrac.item<float>(), 5);
        Assert.Equal(0.25f, result.PgClipfracHigh!.item<float>(), 5);
        Assert.Equal(0.25f, result.PgClipfracLow!.item<float>(), 5);
    }

    [Fact]
    public void The_clipped_surrogates_gradient_is_zero_where_clipped_and_minus_advantage_times_ratio_elsewhere()
    {
        using var scope = NewDisposeScope();
        var logp = tensor(new float[] { (float)Math.Log(2.0), (float)Math.Log(1.1) }).reshape(1, 2).requires_grad_();
        var result = PolicyLossFunctions.Vanilla(zeros(1, 2), logp, ones(1, 2), ones(1, 2), clipRatio: 0.2);
        result.PgLosses.sum().backward();
        var grad = logp.grad!.data<float>().ToArray();
        Assert.Equal(0f, grad[0], 5);
        Assert.Equal(-1.1f, grad[1], 4);
    }

    [Theory]
    [InlineData(KlEstimator.K1, 0.5)]
    [InlineData(KlEstimator.Abs, 0.5)]
    [InlineData(KlEstimator.K2, 0.125)]
    public void Kl_estimators_match_their_formulas_for_d_equal_to_a_half(KlEstimator estimator, double expected)
    {
        using var scope = NewDisposeScope();
        var kl = KlEstimators.Estimate(tensor(new[] { 0.5f }), tensor(new[] { 0f }), estimator).item<float>();
        Assert.Equal(expected, kl, 5);
    }

    [Fact]
    public void K3_is_exp_minus_d_plus_d_minus_one_and_clamped()
    {
        using var scope = NewDisposeScope();
        var kl = KlEstimators.Estimate(tensor(new[] { 0.5f, -0.5f, -30f }), tensor(new[] { 0f, 0f, 0f }), KlEstimator.K3).data<float>().ToArray();
        Assert.Equal(Math.Exp(-0.5) + 0.5 - 1, kl[0], 5);
        Assert.Equal(Math.Exp(0.5) - 0.5 - 1, kl[1], 5);
        Assert.Equal(10f, kl[2]);
    }

    [Fact]
    public void The_masked_mean_averages_unmasked_tokens_and_an_empty_mask_gives_zero()
    {
        using var scope = NewDisposeScope();
        var values = tensor(new float[] { 1, 2, 3, 100 }).reshape(2, 2);
        var mask = tensor(new float[] { 1, 1, 1, 0 }).reshape(2, 2);
        Assert.Equal(2f, Masked.Mean(values, mask).item<float>(), 5);
        Assert.Equal(0f, Masked.Mean(values, zeros(2, 2)).item<float>());
    }
}
