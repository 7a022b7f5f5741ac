using static TorchSharp.torch;

namespace Rft.Algorithms.Peers;

/// <summary>
/// verl's per-token KL estimators (<c>kl_penalty</c> and <c>kl_penalty_forward</c> in
/// <c>verl/trainer/ppo/core_algos.py</c>) and its KL-in-reward (<c>compute_rewards</c>), for the conformance runner.
/// Modes are verl's strings, including the straight-through "+" variants; each estimate is the product's
/// <see cref="KlEstimators"/>.
/// </summary>
public static class KlPenalty
{
    /// <summary>The mode names verl accepts (a "+" suffix is also accepted, see <see cref="Estimate"/>).</summary>
    public static IReadOnlyList<string> ModeNames { get; } = ["kl", "k1", "abs", "mse", "k2", "low_var_kl", "k3"];

    /// <summary>
    /// The estimate for each token, with <c>d = logprob - ref_logprob</c>:
    /// kl/k1 <c>d</c>; abs <c>|d|</c>; mse/k2 <c>d²/2</c>; low_var_kl/k3 <c>clamp(e^x - x - 1, -10, 10)</c> with
    /// <c>x = clamp(-d, -20, 20)</c>. A mode ending in "+" (e.g. "k3+") has the forward value of the mode
    /// without "+" and the gradient of k2 (verl's straight-through trick); "k2+"/"mse+" are not special-cased
    /// by verl's forward and are rejected here as there.
    /// </summary>
    /// <exception cref="NotSupportedException">For "full" (needs whole-vocabulary log-probs), as verl raises NotImplementedError.</exception>
    /// <exception cref="ArgumentException">For an unknown mode, listing the valid ones.</exception>
    public static Tensor Estimate(Tensor logprob, Tensor refLogprob, string mode)
    {
        ArgumentNullException.ThrowIfNull(mode);
        using var scope = NewDisposeScope();
        bool straightThrough = mode.EndsWith('+');
        var forward = Forward(logprob, refLogprob, straightThrough ? mode[..^1] : mode, mode);
        if (!straightThrough) return forward.MoveToOuterDisposeScope();

        var diff = logprob - refLogprob;
        var backward = 0.5 * diff.square();
        return (backward - backward.detach() + forward.detach()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// verl <c>compute_rewards</c>: <c>token_level_scores - (old_log_prob - ref_log_prob) * kl_ratio</c>
    /// (the k1 estimate subtracted from the reward).
    /// </summary>
    public static Tensor ComputeRewards(Tensor tokenLevelScores, Tensor oldLogProb, Tensor refLogProb, double klRatio)
    {
        using var scope = NewDisposeScope();
        var kl = oldLogProb - refLogProb;
        return (tokenLevelScores - kl * klRatio).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// KL in the reward, as verl's <c>apply_kl_penalty</c> (<c>verl/trainer/ppo/ray_trainer.py</c>):
    /// <c>kld = kl_penalty(old_log_probs, ref_log_prob, mode) * mask</c>, rewards <c>scores - beta * kld</c>, and
    /// the KL to feed an <see cref="AdaptiveKlController"/>: the batch mean of each sequence's masked token mean
    /// (a sequence with an empty mask counts as 0).
    /// </summary>
    /// <returns>[B, T] token-level rewards and the scalar current KL.</returns>
    public static (Tensor TokenLevelRewards, double CurrentKl) InReward(Tensor tokenLevelScores, Tensor oldLogProbs, Tensor refLogProb, Tensor responseMask, double beta, string mode = "kl")
    {
        using var scope = NewDisposeScope();
        var kld = Estimate(oldLogProbs, refLogProb, mode) * responseMask.to_type(oldLogProbs.dtype);
        var rewards = tokenLevelScores - beta * kld;
        double currentKl = Masked.Mean(kld, responseMask, axis: -1).mean().item<double>();
        return (rewards.MoveToOuterDisposeScope(), currentKl);
    }

    /// <summary>
    /// KL as a loss term, as verl's actor computes it when <c>use_kl_loss</c> is set (<c>dp_actor.py</c>):
    /// <c>agg_loss(kl_penalty(log_prob, ref_log_prob, kl_loss_type), response_mask, loss_agg_mode)</c>; the caller
    /// multiplies by <c>kl_loss_coef</c>. verl's default <c>kl_loss_type</c> is "low_var_kl".
    /// </summary>
    public static Tensor AsLoss(Tensor logProb, Tensor refLogProb, Tensor responseMask, string mode = "low_var_kl", LossAggregationMode aggregation = LossAggregationMode.TokenMean, LossAggregationScale? scale = null)
    {
        using var scope = NewDisposeScope();
        var kld = Estimate(logProb, refLogProb, mode);
        return LossAggregation.Aggregate(kld, responseMask, aggregation, scale).MoveToOuterDisposeScope();
    }

    // verl's mode names over the product's estimators (KlEstimators): one implementation of each formula.
    private static Tensor Forward(Tensor logprob, Tensor refLogprob, string mode, string asGiven) => mode switch
    {
        "kl" or "k1" => KlEstimators.Estimate(logprob, refLogprob, KlEstimator.K1),
        "abs" => KlEstimators.Estimate(logprob, refLogprob, KlEstimator.Abs),
        "mse" or "k2" => KlEstimators.Estimate(logprob, refLogprob, KlEstimator.K2),
        // Schulman's k3 with the log-ratio clamped to [-20, 20] and the estimate to [-10, 10].
        "low_var_kl" or "k3" => KlEstimators.Estimate(logprob, refLogprob, KlEstimator.K3),
        "full" => throw new NotSupportedException("kl_penalty 'full' needs the whole-vocabulary distributions; verl does not implement it either (NotImplementedError)."),
        _ => throw new ArgumentException($"Unknown kl_penalty '{asGiven}'; valid: {string.Join(", ", ModeNames)}, or one of them with a '+' suffix for the straight-through k2 gradient.", nameof(mode)),
    };
}
