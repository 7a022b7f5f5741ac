using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// verl's policy and value losses (<c>verl/trainer/ppo/core_algos.py</c>): vanilla PPO with asymmetric and
/// dual clip, GSPO, and the clipped value loss. Inputs are [B, T]; gradients flow through
/// <c>logProb</c> (and <c>vpreds</c>).
/// </summary>
public static class PolicyLossFunctions
{
    /// <summary>verl's default <c>clip_ratio</c>.</summary>
    public const double DefaultClipRatio = 0.2;

    /// <summary>verl's default <c>clip_ratio_c</c> (dual-clip bound, Ye et al. 2019, arXiv:1912.09729).</summary>
    public const double DefaultClipRatioC = 3.0;

    /// <summary>
    /// verl <c>compute_policy_loss_vanilla</c>. With <c>x = clamp(logp - old, -20, 20)</c> and <c>r = e^x</c>:
    /// <c>l1 = -A r</c>, <c>l2 = -A clip(r, 1 - low, 1 + high)</c>, <c>c1 = max(l1, l2)</c>; for <c>A &lt; 0</c>
    /// the loss is <c>min(c1, -A clip_ratio_c)</c> (dual clip), otherwise <c>c1</c>; then multiplied by the
    /// optional rollout importance weights and aggregated. Metrics: <c>pg_clipfrac = masked_mean(l2 &gt; l1)</c>,
    /// <c>pg_clipfrac_lower = masked_mean((c1 &gt; -A c) and A &lt; 0)</c>, <c>ppo_kl = masked_mean(-x)</c>.
    /// An all-zero mask gives a NaN loss with local counts (verl's <c>agg_loss</c> divides 0 by 0) and metrics of 0.
    /// </summary>
    /// <param name="clipRatioLow">Null: <paramref name="clipRatio"/>.</param>
    /// <param name="clipRatioHigh">Null: <paramref name="clipRatio"/> (DAPO's clip-higher sets it larger).</param>
    /// <param name="rolloutIsWeights">Optional [B, T] rollout-correction weights (no gradient expected).</param>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="clipRatioC"/> ≤ 1, as verl asserts.</exception>
    public static PolicyLossResult Vanilla(
        Tensor oldLogProb, Tensor logProb, Tensor advantages, Tensor responseMask,
        double clipRatio = DefaultClipRatio, double? clipRatioLow = null, double? clipRatioHigh = null, double clipRatioC = DefaultClipRatioC,
        LossAggregationMode lossAggMode = LossAggregationMode.TokenMean, Tensor? rolloutIsWeights = null, LossAggregationScale? scale = null)
    {
        if (!(clipRatioC > 1.0))
            throw new ArgumentOutOfRangeException(nameof(clipRatioC), clipRatioC, "The lower bound clip_ratio_c of dual-clip PPO must be greater than 1.0 (verl compute_policy_loss_vanilla).");
        double low = clipRatioLow ?? clipRatio, high = clipRatioHigh ?? clipRatio;

        using var scope = NewDisposeScope();
        var negativeApproxKl = (logProb - oldLogProb).clamp(-20.0, 20.0);
        var ratio = negativeApproxKl.exp();
        var ppoKl = Masked.Mean(-negativeApproxKl, responseMask);

        var losses1 = -advantages * ratio;
        var losses2 = -advantages * ratio.clamp(1.0 - low, 1.0 + high);
        var clipped1 = maximum(losses1, losses2);
        var clipped = losses2.gt(losses1);
        var clipFraction = Masked.Mean(clipped.to_type(ratio.dtype), responseMask);
        var (clipHigh, clipLow) = ClipSides(clipped, advantages, responseMask, ratio.dtype);

        var losses3 = -advantages * clipRatioC;
        var clipped2 = minimum(losses3, clipped1);
        var negative = advantages.lt(0);
        var clipFractionLower = Masked.Mean((clipped1.gt(losses3) & negative).to_type(ratio.dtype), responseMask);

        var pgLosses = where(negative, clipped2, clipped1);
        if (rolloutIsWeights is not null) pgLosses = pgLosses * rolloutIsWeights;
        var pgLoss = LossAggregation.Aggregate(pgLosses, responseMask, lossAggMode, scale);
        return Moved(pgLoss, pgLosses, clipFraction, clipFractionLower, ppoKl, clipHigh, clipLow);
    }

    /// <summary>
    /// verl <c>compute_policy_loss_gspo</c> (Zheng et al. 2025, arXiv:2507.18071). The sequence log-ratio is
    /// <c>s_i = sum_t (logp - old) mask / max(|y_i|, 1)</c>; each token's log-ratio is
    /// <c>sg[s_i] + logp - sg[logp]</c> (value <c>s_i</c>, gradient that of <c>logp</c>), clamped above at 10,
    /// exponentiated, then clipped as PPO without dual clip and multiplied by the optional rollout weights.
    /// As in verl, the loss is always aggregated with seq-mean-token-mean (verl ignores its
    /// <c>loss_agg_mode</c> argument here), <c>pg_clipfrac_lower</c> is 0, and <c>ppo_kl</c> is the masked mean of
    /// the unclamped <c>old - logp</c>. An all-zero mask gives a NaN loss with local counts, as in verl.
    /// </summary>
    public static PolicyLossResult Gspo(
        Tensor oldLogProb, Tensor logProb, Tensor advantages, Tensor responseMask,
        double clipRatio = DefaultClipRatio, double? clipRatioLow = null, double? clipRatioHigh = null,
        Tensor? rolloutIsWeights = null, LossAggregationScale? scale = null)
    {
        double low = clipRatioLow ?? clipRatio, high = clipRatioHigh ?? clipRatio;
        using var scope = NewDisposeScope();
        var mask = responseMask.to_type(logProb.dtype);
        var negativeApproxKl = logProb - oldLogProb;
        var lengths = mask.sum(-1).clamp_min(1.0);
        var sequenceLogRatio = (negativeApproxKl * mask).sum(-1) / lengths;          // [B]
        var logRatio = (logProb - logProb.detach() + sequenceLogRatio.detach().unsqueeze(-1)).clamp_max(10.0);
        var ratio = logRatio.exp();

        var losses1 = -advantages * ratio;
        var losses2 = -advantages * ratio.clamp(1.0 - low, 1.0 + high);
        var pgLosses = maximum(losses1, losses2);
        if (rolloutIsWeights is not null) pgLosses = pgLosses * rolloutIsWeights;
        var pgLoss = LossAggregation.Aggregate(pgLosses, responseMask, LossAggregationMode.SeqMeanTokenMean, scale);

        var clipped = losses2.gt(losses1);
        var clipFraction = Masked.Mean(clipped.to_type(ratio.dtype), responseMask);
        var (clipHigh, clipLow) = ClipSides(clipped, advantages, responseMask, ratio.dtype);
        var clipFractionLower = zeros(Array.Empty<long>(), dtype: logProb.dtype, device: logProb.device);
        var ppoKl = Masked.Mean(-negativeApproxKl, responseMask);
        return Moved(pgLoss, pgLosses, clipFraction, clipFractionLower, ppoKl, clipHigh, clipLow);
    }

    /// <summary>
    /// verl <c>compute_value_loss</c>: <c>v' = clamp(vpreds, values - c, values + c)</c>,
    /// <c>loss = 0.5 * agg(max((vpreds - R)², (v' - R)²))</c>, <c>vf_clipfrac = masked_mean((v' - R)² &gt; (vpreds - R)²)</c>.
    /// </summary>
    /// <param name="vpreds">[B, T] current value predictions (with gradient).</param>
    /// <param name="values">[B, T] value predictions at rollout time.</param>
    /// <param name="returns">[B, T] return targets.</param>
    /// <param name="scale">The normalisers of a whole mini-batch when <paramref name="vpreds"/> is a micro-batch of it (see <see cref="LossAggregation"/>).</param>
    public static ValueLossResult ValueLoss(Tensor vpreds, Tensor values, Tensor returns, Tensor responseMask, double cliprangeValue,
        LossAggregationMode lossAggMode = LossAggregationMode.TokenMean, LossAggregationScale? scale = null)
    {
        using var scope = NewDisposeScope();
        var clippedPredictions = maximum(minimum(vpreds, values + cliprangeValue), values - cliprangeValue);
        var losses1 = (vpreds - returns).square();
        var losses2 = (clippedPredictions - returns).square();
        var clippedLosses = maximum(losses1, losses2);
        var loss = 0.5 * LossAggregation.Aggregate(clippedLosses, responseMask, lossAggMode, scale);
        var clipFraction = Masked.Mean(losses2.gt(losses1).to_type(vpreds.dtype), responseMask);
        return new ValueLossResult(loss.MoveToOuterDisposeScope(), clippedLosses.MoveToOuterDisposeScope(), clipFraction.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The two sides of <c>pg_clipfrac</c>: <c>l2 &gt; l1</c> holds only where the advantage is positive and the ratio passed
    /// 1 + high, or negative and the ratio fell below 1 - low, so the two masked means sum to <c>pg_clipfrac</c>.
    /// </summary>
    private static (Tensor High, Tensor Low) ClipSides(Tensor clipped, Tensor advantages, Tensor responseMask, ScalarType dtype) =>
        (Masked.Mean((clipped & advantages.gt(0)).to_type(dtype), responseMask), Masked.Mean((clipped & advantages.lt(0)).to_type(dtype), responseMask));

    private static PolicyLossResult Moved(Tensor pgLoss, Tensor pgLosses, Tensor clipFraction, Tensor clipFractionLower, Tensor ppoKl, Tensor clipHigh, Tensor clipLow)
        => new(pgLoss.MoveToOuterDisposeScope(), pgLosses.MoveToOuterDisposeScope(), clipFraction.MoveToOuterDisposeScope(),
            clipFractionLower.MoveToOuterDisposeScope(), ppoKl.MoveToOuterDisposeScope())
        {
            PgClipfracHigh = clipHigh.MoveToOuterDisposeScope(),
            PgClipfracLow = clipLow.MoveToOuterDisposeScope(),
        };
}
