using static TorchSharp.torch;

namespace Rft.Algorithms.Peers;

/// <summary>
/// TRL's <c>GRPOTrainer</c> (<c>trl/trainer/grpo_trainer.py</c>): the advantage computation of
/// <c>_generate_and_score_completions</c> and the loss of <c>_compute_loss</c> for the clipped loss types.
/// Groups are consecutive runs of <c>num_generations</c> completions, as TRL's sampler lays them out.
/// </summary>
public static class TrlGrpo
{
    /// <summary>The 1e-4 TRL adds to a std before dividing by it.</summary>
    public const double StdEpsilon = 1e-4;

    /// <summary>
    /// TRL's advantages. For <see cref="TrlMultiObjectiveAggregation.SumThenNormalize"/>: the reward is the
    /// NaN-ignoring weighted sum over reward functions (NaN when every function returned NaN);
    /// <c>A = (r - nanmean_g) / (nanstd + 1e-4)</c> with the group's unbiased NaN-ignoring std ("group"), the
    /// batch's ("batch"), or no division ("none", which still reports the group std). A std over fewer than
    /// two non-NaN values is NaN (with one generation per group, or one row in the batch, TRL uses 0 instead).
    /// Advantages that come out NaN become 0 (and infinite ones the dtype's largest finite values, torch.nan_to_num).
    /// </summary>
    /// <param name="rewardsPerFunc">[N, F] rewards, NaN where a function gave none.</param>
    /// <param name="rewardWeights">[F] weights.</param>
    /// <exception cref="ArgumentException">When N is not a multiple of <paramref name="numGenerations"/> or the weights do not match F.</exception>
    public static TrlGrpoAdvantages Advantages(Tensor rewardsPerFunc, Tensor rewardWeights, int numGenerations,
        TrlScaleRewards scaleRewards = TrlScaleRewards.Group, TrlMultiObjectiveAggregation aggregation = TrlMultiObjectiveAggregation.SumThenNormalize)
    {
        if (rewardsPerFunc.dim() != 2) throw new ArgumentException($"rewards_per_func must be [N, F], got [{string.Join(", ", rewardsPerFunc.shape)}].", nameof(rewardsPerFunc));
        long n = rewardsPerFunc.shape[0], functions = rewardsPerFunc.shape[1];
        if (numGenerations < 1 || n % numGenerations != 0)
            throw new ArgumentException($"{n} completions cannot be split into groups of num_generations = {numGenerations}.", nameof(numGenerations));
        if (rewardWeights.numel() != functions)
            throw new ArgumentException($"Number of reward weights ({rewardWeights.numel()}) must match number of reward functions ({functions}).", nameof(rewardWeights));

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var weights = rewardWeights.to_type(rewardsPerFunc.dtype).unsqueeze(0);
        var unscorable = rewardsPerFunc.isnan().all(1);
        Tensor rewards, std, advantages;
        if (aggregation == TrlMultiObjectiveAggregation.SumThenNormalize)
        {
            rewards = NanSum(rewardsPerFunc * weights, 1);
            rewards = where(unscorable, full_like(rewards, double.NaN), rewards);
            var grouped = rewards.view(-1, numGenerations);
            var mean = NanMean(grouped, 1, keepdim: false).repeat_interleave(numGenerations, 0);
            std = scaleRewards switch
            {
                TrlScaleRewards.Group or TrlScaleRewards.None => numGenerations > 1
                    ? NanStd(grouped, 1, keepdim: false).repeat_interleave(numGenerations, 0)
                    : zeros_like(rewards),
                TrlScaleRewards.Batch => n > 1 ? NanStd(rewards, null, keepdim: false).expand_as(rewards) : zeros_like(rewards),
                _ => throw new ArgumentOutOfRangeException(nameof(scaleRewards), scaleRewards, "Must be one of 'batch', 'group', or 'none'."),
            };
            advantages = rewards - mean;
            if (scaleRewards != TrlScaleRewards.None) advantages = advantages / (std + StdEpsilon);
        }
        else
        {
            var grouped = rewardsPerFunc.view(-1, numGenerations, functions);
            var meanK = NanMean(grouped, 1, keepdim: true);
            var stdK = numGenerations > 1 ? NanStd(grouped, 1, keepdim: true) : zeros_like(meanK);
            var normalised = ((grouped - meanK) / (stdK + StdEpsilon)).view(-1, functions);
            rewards = NanSum(normalised * weights, 1);
            rewards = where(unscorable, full_like(rewards, double.NaN), rewards);
            std = n > 1 ? NanStd(rewards, null, keepdim: false).expand_as(rewards) : zeros_like(rewards);
            advantages = (rewards - NanMean(rewards, null, keepdim: false)) / (std + StdEpsilon);
        }

        // torch.isclose(std, 0) with rtol 1e-5, atol 1e-8: |std| <= 1e-8 (NaN is never close).
        var isStdZero = std.abs().le(1e-8);
        advantages = advantages.nan_to_num(0.0);   // torch.nan_to_num: NaN -> 0, +-inf -> the dtype's extremes
        return new TrlGrpoAdvantages(advantages.contiguous().MoveToOuterDisposeScope(), rewards.MoveToOuterDisposeScope(),
            std.contiguous().MoveToOuterDisposeScope(), isStdZero.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// TRL's GRPO loss for the clipped loss types. With <c>x = logp - old</c> (token level) or its masked mean
    /// per sequence (sequence level, [B, 1]), <c>coef_1 = e^x</c>, <c>coef_2 = clip(coef_1, 1 - eps_low,
    /// 1 + eps_high)</c>, then <c>coef_1 = min(coef_1, delta)</c> when <c>delta</c> is set; per-token loss
    /// <c>-min(coef_1 A, coef_2 A)</c> plus <c>beta * kl</c>, <c>kl = e^(ref - logp) - (ref - logp) - 1</c>
    /// (unclamped, unlike verl's k3; times <c>coef_1</c> before the delta cap under bias correction). Reduction by
    /// <see cref="TrlLossType"/>. Unlike verl, no log-ratio is clamped, so extreme ratios may overflow to inf as
    /// in TRL; an all-zero mask gives 0 (TRL clamps its counts to at least 1).
    /// </summary>
    /// <param name="perTokenLogps">[B, T] current log-probs (with gradient).</param>
    /// <param name="oldPerTokenLogps">[B, T] rollout log-probs; null: <paramref name="perTokenLogps"/> detached (one update per rollout).</param>
    /// <param name="refPerTokenLogps">[B, T] reference log-probs; required when beta is not 0.</param>
    /// <param name="advantages">[B] or [B, T].</param>
    /// <param name="completionMask">[B, T].</param>
    public static TrlGrpoLossResult Loss(Tensor perTokenLogps, Tensor? oldPerTokenLogps, Tensor? refPerTokenLogps, Tensor advantages, Tensor completionMask, TrlGrpoLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Beta != 0.0 && refPerTokenLogps is null)
            throw new ArgumentException($"beta = {options.Beta} needs ref_per_token_logps.", nameof(refPerTokenLogps));
        double epsilonLow = options.EpsilonLow, epsilonHigh = options.EpsilonHigh ?? options.EpsilonLow;

        using var scope = NewDisposeScope();
        var mask = completionMask.to_type(perTokenLogps.dtype);
        if (advantages.dim() == 1) advantages = advantages.unsqueeze(1);
        var old = oldPerTokenLogps ?? perTokenLogps.detach();

        var logRatio = perTokenLogps - old;
        var logWeights = options.ImportanceSamplingLevel switch
        {
            ImportanceSamplingLevel.Token => logRatio,
            ImportanceSamplingLevel.Sequence => ((logRatio * mask).sum(-1) / mask.sum(-1).clamp_min(1.0)).unsqueeze(-1),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.ImportanceSamplingLevel, "Possible values are 'token' and 'sequence'."),
        };
        var coef1 = logWeights.exp();

        Tensor? perTokenKl = null;
        if (options.Beta != 0.0)
        {
            var referenceMinusPolicy = refPerTokenLogps! - perTokenLogps;
            perTokenKl = referenceMinusPolicy.exp() - referenceMinusPolicy - 1.0;
            if (options.UseBiasCorrectionKl) perTokenKl = perTokenKl * coef1;
        }

        var coef2 = coef1.clamp(1.0 - epsilonLow, 1.0 + epsilonHigh);
        if (options.Delta is { } delta) coef1 = coef1.clamp_max(delta);
        var perTokenLoss = -minimum(coef1 * advantages, coef2 * advantages);
        if (perTokenKl is not null) perTokenLoss = perTokenLoss + options.Beta * perTokenKl;

        var masked = perTokenLoss * mask;
        double accumulation = options.CurrentGradientAccumulationSteps;
        var loss = options.LossType switch
        {
            TrlLossType.Grpo => (masked.sum(-1) / mask.sum(-1).clamp_min(1.0)).mean() / accumulation,
            TrlLossType.Bnpo => masked.sum() / mask.sum().clamp_min(1.0) / accumulation,
            TrlLossType.DrGrpo => masked.sum() / (perTokenLoss.shape[0] * (double)(options.MaxCompletionLength ?? mask.shape[1])) / accumulation,
            TrlLossType.Dapo => masked.sum() / ((options.NumItemsInBatch is { } items ? tensor(items, dtype: mask.dtype, device: mask.device) : mask.sum()).clamp_min(1.0) / options.NumProcesses),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.LossType, "Implemented loss types: grpo, bnpo, dr_grpo, dapo."),
        };

        var isLowClipped = coef1.lt(1.0 - epsilonLow) & advantages.lt(0);
        var isHighClipped = coef1.gt(1.0 + epsilonHigh) & advantages.gt(0);
        var isRegionClipped = isLowClipped | isHighClipped;
        return new TrlGrpoLossResult(
            loss.MoveToOuterDisposeScope(),
            perTokenLoss.MoveToOuterDisposeScope(),
            perTokenKl?.MoveToOuterDisposeScope(),
            coef1.MoveToOuterDisposeScope(),
            GlobalMaskedMean(isLowClipped.to_type(mask.dtype), mask).MoveToOuterDisposeScope(),
            GlobalMaskedMean(isHighClipped.to_type(mask.dtype), mask).MoveToOuterDisposeScope(),
            GlobalMaskedMean(isRegionClipped.to_type(mask.dtype), mask).MoveToOuterDisposeScope());
    }

    /// <summary>TRL's <c>global_masked_mean</c> on one process: a [B, 1] quantity is averaged over sequences.</summary>
    private static Tensor GlobalMaskedMean(Tensor x, Tensor mask)
        => x.shape[1] == 1
            ? x.sum() / Math.Max(1.0, x.shape[0])
            : (x * mask).sum() / mask.sum().clamp_min(1.0);

    private static Tensor NanSum(Tensor x, long? dim, bool keepdim = false)
    {
        var zeroed = where(x.isnan(), zeros_like(x), x);
        return dim is { } d ? zeroed.sum(d, keepdim) : zeroed.sum();
    }

    /// <summary>torch.nanmean: NaN when every value is NaN.</summary>
    private static Tensor NanMean(Tensor x, long? dim, bool keepdim)
    {
        var count = x.isnan().logical_not().to_type(x.dtype);
        var counts = dim is { } d ? count.sum(d, keepdim) : count.sum();
        return NanSum(x, dim, keepdim) / counts;
    }

    /// <summary>TRL's <c>nanstd</c>: unbiased, NaN-ignoring; NaN where fewer than two values are not NaN.</summary>
    private static Tensor NanStd(Tensor x, long? dim, bool keepdim)
    {
        var mean = NanMean(x, dim, keepdim: true);
        var centred = x - mean;
        var variance = NanMean(centred * centred, dim, keepdim);
        var count = x.isnan().logical_not().to_type(x.dtype);
        var counts = dim is { } d ? count.sum(d, keepdim) : count.sum();
        var correction = where(counts.gt(1), counts / (counts - 1.0), full_like(counts, double.NaN));
        return (variance * correction).sqrt();
    }
}
