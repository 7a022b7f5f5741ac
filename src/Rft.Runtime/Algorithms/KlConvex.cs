using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// ReMix's KL-convex policy constraint (Liang et al. 2025, arXiv:2507.06892): a convex combination of the KL to the
/// base (reference) model, which keeps training stable, and the KL to the precedent policy, which lets it move:
/// <c>lambda KL(pi || base) + (1 - lambda) KL(pi || precedent)</c>, each estimated per token by
/// <see cref="KlEstimators.Estimate"/>.
/// </summary>
public static class KlConvex
{
    /// <param name="logProbs">[B, T] the policy's log-probs (with gradient).</param>
    /// <param name="baseLogProbs">[B, T] the base model's.</param>
    /// <param name="precedentLogProbs">[B, T] the precedent policy's (the policy as the update started).</param>
    /// <param name="baseWeight">lambda, in [0, 1].</param>
    /// <returns>[B, T] the per-token estimate.</returns>
    public static Tensor Estimate(Tensor logProbs, Tensor baseLogProbs, Tensor precedentLogProbs, double baseWeight, KlEstimator estimator)
    {
        if (!(baseWeight >= 0 && baseWeight <= 1))
            throw new ArgumentOutOfRangeException(nameof(baseWeight), baseWeight, "The KL-convex weight must be in [0, 1].");
        using var scope = NewDisposeScope();
        var toBase = KlEstimators.Estimate(logProbs, baseLogProbs, estimator);
        var toPrecedent = KlEstimators.Estimate(logProbs, precedentLogProbs, estimator);
        return (baseWeight * toBase + (1 - baseWeight) * toPrecedent).MoveToOuterDisposeScope();
    }
}
