using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// verl's advantage estimators (<c>verl/trainer/ppo/core_algos.py</c>). Inputs are [B, T] token-level
/// rewards and a [B, T] response mask; the outcome estimators sum each row's rewards into one score.
/// Groups are given by an index (one key per row, rows of a group need not be adjacent), as verl's
/// <c>index</c> array of prompt uids. All are computed without gradient, in the rewards' dtype.
/// </summary>
public static class AdvantageEstimators
{
    /// <summary>verl's default epsilon of the outcome estimators.</summary>
    public const double DefaultEpsilon = 1e-6;

    /// <summary>
    /// verl <c>compute_grpo_outcome_advantage</c>: <c>(s - mean_g) / (std_g + epsilon)</c>, or Dr.GRPO's
    /// <c>s - mean_g</c> when <paramref name="normAdvByStd"/> is false, times the mask. The std is unbiased
    /// (torch.std). A singleton group has mean 0 and std 1 (so its advantage is <c>s / (1 + epsilon)</c>, or
    /// <c>s</c>); a group whose scores are all equal gets 0.
    /// </summary>
    public static AdvantagesAndReturns Grpo<TKey>(Tensor tokenLevelRewards, Tensor responseMask, IReadOnlyList<TKey> index, double epsilon = DefaultEpsilon, bool normAdvByStd = true)
        where TKey : notnull
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var scores = tokenLevelRewards.sum(-1);                                   // [B]
        var stats = GroupStatistics.Of(scores, index, withStd: true);
        var advantage = scores - stats.Mean;
        if (normAdvByStd) advantage = advantage / (stats.Std! + epsilon);
        var advantages = advantage.unsqueeze(-1) * responseMask.to_type(scores.dtype);
        return Outcome(advantages);
    }

    /// <summary>
    /// verl <c>compute_rloo_outcome_advantage</c>: the leave-one-out baseline,
    /// <c>s n / (n - 1) - mean_g n / (n - 1)</c> (= s minus the mean of the other n - 1 scores), times the mask.
    /// A singleton group keeps its score unchanged.
    /// </summary>
    public static AdvantagesAndReturns Rloo<TKey>(Tensor tokenLevelRewards, Tensor responseMask, IReadOnlyList<TKey> index)
        where TKey : notnull
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var scores = tokenLevelRewards.sum(-1);
        var stats = GroupStatistics.Of(scores, index, withStd: false);
        var n = stats.Count;
        var many = n.gt(1);
        // As verl evaluates it: (s * n) / (n - 1) - (mean * n) / (n - 1), only where n > 1.
        var denominator = where(many, n - 1.0, ones_like(n));
        var loo = scores * n / denominator - stats.Mean * n / denominator;
        var advantage = where(many, loo, scores);
        return Outcome(advantage.unsqueeze(-1) * responseMask.to_type(scores.dtype));
    }

    /// <summary>
    /// verl <c>compute_reinforce_plus_plus_baseline_outcome_advantage</c>: <c>s - mean_g</c> (singleton mean 0),
    /// broadcast over the tokens, masked, then whitened over the whole batch (<see cref="Masked.Whiten"/>)
    /// and masked again.
    /// </summary>
    /// <exception cref="ArgumentException">When the mask has fewer than two tokens (from masked whitening).</exception>
    public static AdvantagesAndReturns ReinforcePlusPlusBaseline<TKey>(Tensor tokenLevelRewards, Tensor responseMask, IReadOnlyList<TKey> index)
        where TKey : notnull
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var scores = tokenLevelRewards.sum(-1);
        var stats = GroupStatistics.Of(scores, index, withStd: false);
        var mask = responseMask.to_type(scores.dtype);
        var tiled = (scores - stats.Mean).unsqueeze(-1).expand_as(tokenLevelRewards) * mask;
        var advantages = Masked.Whiten(tiled, mask) * mask;
        return Outcome(advantages);
    }

    /// <summary>
    /// verl <c>compute_reinforce_plus_plus_outcome_advantage</c>: the discounted return
    /// <c>G_t = r_t + gamma G_{t+1}</c>, computed right to left and reset to 0 after every masked-out position
    /// (so padding after EOS never leaks into the completion), then whitened over the batch and masked.
    /// Returns are the unwhitened G.
    /// </summary>
    /// <exception cref="ArgumentException">When the mask has fewer than two tokens (from masked whitening).</exception>
    public static AdvantagesAndReturns ReinforcePlusPlus(Tensor tokenLevelRewards, Tensor responseMask, double gamma)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var mask = responseMask.to_type(tokenLevelRewards.dtype);
        long length = tokenLevelRewards.shape[1];
        var returns = zeros_like(tokenLevelRewards);
        var running = zeros_like(tokenLevelRewards.select(1, 0));
        for (long t = length - 1; t >= 0; t--)
        {
            running = tokenLevelRewards.select(1, t) + gamma * running;
            returns.select(1, t).copy_(running);
            running = running * mask.select(1, t);
        }

        var advantages = Masked.Whiten(returns, mask) * mask;
        return new AdvantagesAndReturns(advantages.MoveToOuterDisposeScope(), returns.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// verl <c>compute_remax_outcome_advantage</c>: returns are the reverse cumulative sums of the masked
    /// rewards; advantages are <c>returns - baseline * mask</c> with one greedy-rollout baseline per row.
    /// </summary>
    /// <param name="rewardBaselines">[B] the reward of each prompt's greedy completion.</param>
    public static AdvantagesAndReturns ReMax(Tensor tokenLevelRewards, Tensor rewardBaselines, Tensor responseMask)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var mask = responseMask.to_type(tokenLevelRewards.dtype);
        var returns = (tokenLevelRewards * mask).flip(-1).cumsum(-1).flip(-1);
        var advantages = returns - rewardBaselines.to_type(tokenLevelRewards.dtype).unsqueeze(-1) * mask;
        return new AdvantagesAndReturns(advantages.MoveToOuterDisposeScope(), returns.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// verl <c>compute_gae_advantage_return</c>: <c>delta_t = r_t + gamma V_{t+1} - V_t</c>,
    /// <c>A_t = delta_t + gamma lam A_{t+1}</c>, right to left, where masked-out positions are skipped (the
    /// next value and the running advantage carry over them unchanged). Returns are <c>A + V</c> before
    /// whitening; advantages are then whitened over the batch (<see cref="Masked.Whiten"/>) and not masked.
    /// </summary>
    /// <exception cref="ArgumentException">When the mask has fewer than two tokens (from masked whitening).</exception>
    public static AdvantagesAndReturns Gae(Tensor tokenLevelRewards, Tensor values, Tensor responseMask, double gamma, double lam)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var mask = responseMask.to_type(tokenLevelRewards.dtype);
        long length = tokenLevelRewards.shape[1];
        var nextValues = zeros_like(tokenLevelRewards.select(1, 0));
        var lastGaeLam = zeros_like(nextValues);
        var reversed = new Tensor[length];
        for (long t = length - 1; t >= 0; t--)
        {
            var m = mask.select(1, t);
            var value = values.select(1, t);
            var delta = tokenLevelRewards.select(1, t) + gamma * nextValues - value;
            var candidate = delta + gamma * lam * lastGaeLam;
            nextValues = value * m + (1.0 - m) * nextValues;
            lastGaeLam = candidate * m + (1.0 - m) * lastGaeLam;
            reversed[t] = lastGaeLam;
        }

        var advantages = stack(reversed, 1);
        var returns = advantages + values;
        advantages = Masked.Whiten(advantages, mask);
        return new AdvantagesAndReturns(advantages.MoveToOuterDisposeScope(), returns.MoveToOuterDisposeScope());
    }

    private static AdvantagesAndReturns Outcome(Tensor advantages)
    {
        var moved = advantages.MoveToOuterDisposeScope();
        return new AdvantagesAndReturns(moved, moved);
    }
}
