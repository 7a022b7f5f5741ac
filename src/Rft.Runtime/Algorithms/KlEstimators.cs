using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>Per-token estimators of KL(policy || reference) from sampled-token log-probs (Schulman's k1, k2, k3).</summary>
public static class KlEstimators
{
    /// <summary>The estimate for each token, [N, T]; d = logProbs - refLogProbs.</summary>
    public static Tensor Estimate(Tensor logProbs, Tensor refLogProbs, KlEstimator estimator)
    {
        using var scope = NewDisposeScope();
        var d = logProbs - refLogProbs;
        var kl = estimator switch
        {
            KlEstimator.K1 => d,
            KlEstimator.Abs => d.abs(),
            KlEstimator.K2 => 0.5 * d.square(),
            // k3 = e^(-d) + d - 1 >= 0, unbiased and low-variance. As in verl, -d is clamped to
            // [-20, 20] before use and the estimate to [-10, 10].
            KlEstimator.K3 => K3(d),
            _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "Valid estimators: K1, Abs, K2, K3."),
        };
        return kl.MoveToOuterDisposeScope();
    }

    private static Tensor K3(Tensor d)
    {
        var negative = (-d).clamp(-20.0, 20.0);
        return (negative.exp() - negative - 1.0).clamp(-10.0, 10.0);
    }
}
