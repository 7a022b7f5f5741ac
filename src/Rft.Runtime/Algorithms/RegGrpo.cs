using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// Regressive GRPO (Park et al. 2025, "DeepVideo-R1: Video Reinforcement Fine-Tuning via Difficulty-aware Regressive
/// GRPO", NeurIPS 2025, arXiv:2506.07464, Sec. 3.2 and App. A.4). The KL-constrained optimum
/// <c>π*(y) ∝ π_old(y) exp(R(y) / λ)</c> gives <c>R = λ log(π*/π_old) + λ log Z</c>, so the group-normalized advantage
/// <c>Â_i = (R_i - μ_R) / σ_R</c> equals the group-normalized log-ratio of π*, with <c>Z</c> and <c>λ</c> cancelled.
/// The policy therefore regresses its own group-normalized sequence log-ratio onto the advantage:
/// <c>ρ_i = log π(y_i) / π_old(y_i) = sum_t (logp - old) mask</c>, <c>Â_θ,i = (ρ_i - μ_ρ) / (σ_ρ + ε)</c>,
/// loss <c>mean_i (Â_i - Â_θ,i)²</c>, with no ratio clipping and no min. The paper adds the usual GRPO KL penalty
/// to a reference policy; add it separately (<see cref="KlPenalty"/>).
/// </summary>
/// <remarks>
/// Means and standard deviations are per group of consecutive rows; σ is the unbiased std, as in
/// <see cref="GroupAdvantages.Grpo"/>. The prediction is scale-free in ρ, so its gradient grows like <c>1 / σ_ρ</c>: on the
/// first step after a rollout, where <c>π = π_old</c> and every ρ is 0, the gradient is that of GRPO's
/// <c>-Â_i ρ_i</c> scaled by <c>2 / (N ε)</c> (ε bounds it). A group whose ρ are all equal contributes no
/// gradient through σ (its σ is treated as a constant 0 there, where the std is not differentiable).
/// </remarks>
public static class RegGrpo
{
    /// <summary>Default ε added to the std of the log-ratios (TRL's GRPO advantage epsilon).</summary>
    public const double DefaultEpsilon = 1e-4;

    /// <param name="oldLogProb">[N, T] behaviour (rollout-time) log-probs of the completion tokens.</param>
    /// <param name="logProb">[N, T] current log-probs (with gradient).</param>
    /// <param name="advantages">[N] target advantages, normally <see cref="GroupAdvantages.Grpo"/> of the rewards.</param>
    /// <param name="responseMask">[N, T] 1 on completion tokens.</param>
    /// <param name="groupSize">Completions per prompt: rows [g·G, (g + 1)·G) share a prompt; at least 2.</param>
    /// <param name="epsilon">Added to the log-ratio std.</param>
    /// <exception cref="ArgumentException">Shapes that do not line up or a group size below 2.</exception>
    public static RegGrpoLossResult Loss(Tensor oldLogProb, Tensor logProb, Tensor advantages, Tensor responseMask, int groupSize, double epsilon = DefaultEpsilon)
    {
        long n = logProb.shape[0];
        if (groupSize < 2 || n % groupSize != 0)
            throw new ArgumentException($"{n} completions cannot be split into groups of {groupSize} (Reg-GRPO needs groups of at least 2).", nameof(groupSize));
        if (advantages.dim() != 1 || advantages.shape[0] != n)
            throw new ArgumentException($"advantages must be [{n}], one per completion; got [{string.Join(", ", advantages.shape)}].", nameof(advantages));

        using var scope = NewDisposeScope();
        var mask = responseMask.to_type(logProb.dtype);
        var logRatios = ((logProb - oldLogProb) * mask).sum(-1);                 // [N]
        var grouped = logRatios.view(-1, groupSize);                              // [N/G, G]
        var mean = grouped.mean(new long[] { 1 }, keepdim: true);
        var variance = grouped.var(1, unbiased: true, keepdim: true);
        // sqrt is not differentiable at 0; the second where keeps a zero-variance group's σ constant.
        var positive = variance.gt(0);
        var std = where(positive, where(positive, variance, ones_like(variance)).sqrt(), zeros_like(variance));
        var predicted = ((grouped - mean) / (std + epsilon)).reshape(n);
        var sequenceLosses = (advantages.to_type(logProb.dtype) - predicted).square();
        return new RegGrpoLossResult(sequenceLosses.mean().MoveToOuterDisposeScope(), sequenceLosses.MoveToOuterDisposeScope(),
            predicted.detach().MoveToOuterDisposeScope(), logRatios.detach().MoveToOuterDisposeScope());
    }
}
