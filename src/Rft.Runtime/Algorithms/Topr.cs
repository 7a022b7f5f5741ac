using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// Tapered off-policy REINFORCE (Le Roux et al. 2025, arXiv:2503.14286), with the semantics of Trinity-RFT's
/// <c>TOPRPolicyLossFn</c> (<c>trinity/algorithm/policy_loss_fn/topr_policy_loss.py</c>), the public
/// implementation that runs on verl: per token, <c>alpha = clamp(e^(logp - old), 0, 1)</c> where
/// <c>R &lt;= threshold</c> and 1 elsewhere, loss <c>-sg(alpha) R logp</c>, aggregated with
/// <see cref="LossAggregation"/>. Positive samples are therefore plain SFT-like REINFORCE and negative ones are
/// down-weighted when the current policy already makes them less likely than the behaviour policy did.
/// </summary>
public static class Topr
{
    /// <param name="rewards">[B, T] rewards (the paper) or advantages (the baseline trick), broadcast per token.</param>
    /// <param name="advantageThreshold">Samples with <c>R &lt;= threshold</c> get the tapered weight (default 0).</param>
    public static ToprLossResult Loss(Tensor oldLogProb, Tensor logProb, Tensor rewards, Tensor responseMask,
        double advantageThreshold = 0.0, LossAggregationMode lossAggMode = LossAggregationMode.TokenMean, LossAggregationScale? scale = null)
    {
        using var scope = NewDisposeScope();
        var ratio = (logProb - oldLogProb).exp();
        var alpha = where(rewards.le(advantageThreshold), ratio.clamp(0.0, 1.0), ones_like(ratio));
        var tokenLosses = -alpha.detach() * rewards * logProb;
        var loss = LossAggregation.Aggregate(tokenLosses, responseMask, lossAggMode, scale);
        return new ToprLossResult(loss.MoveToOuterDisposeScope(), tokenLosses.MoveToOuterDisposeScope(),
            Masked.Mean(alpha, responseMask).detach().MoveToOuterDisposeScope(), Masked.Mean(ratio, responseMask).detach().MoveToOuterDisposeScope());
    }
}
