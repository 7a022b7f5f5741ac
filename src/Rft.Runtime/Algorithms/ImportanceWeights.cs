using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// Importance weights that correct for rows sampled by another policy than the one an update starts from: verl's
/// rollout correction (<c>rollout_is_weights</c>) in its token-level truncate mode, TIS (Yao et al. 2025, "Your
/// efficient RL framework secretly brings you off-policy RL training"). The update's ratio stays
/// <c>pi_theta / pi_old</c> and each token's loss is multiplied by <c>w = min(pi_old / pi_behaviour, cap)</c>.
/// </summary>
public static class ImportanceWeights
{
    /// <summary>verl's bound on a log-ratio before it is exponentiated.</summary>
    public const double LogRatioBound = 20.0;

    /// <summary>
    /// <c>w = min(e^clamp(old - behaviour, -20, 20), cap) * mask</c>, without gradient, [B, T].
    /// </summary>
    /// <param name="oldLogProbs">[B, T] log-probs of the policy the update starts from.</param>
    /// <param name="behaviourLogProbs">[B, T] log-probs of the policy that sampled the tokens.</param>
    /// <param name="mask">[B, T] the tokens in the loss; the weight is 0 elsewhere.</param>
    /// <param name="cap">The truncation C (verl's <c>rollout_is_threshold</c>), at least 1.</param>
    public static Tensor Truncated(Tensor oldLogProbs, Tensor behaviourLogProbs, Tensor mask, double cap)
    {
        if (!(cap >= 1.0) || double.IsInfinity(cap))
            throw new ArgumentOutOfRangeException(nameof(cap), cap, "The truncation cap of importance weights must be a finite number of at least 1.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var logRatio = (oldLogProbs - behaviourLogProbs).clamp(-LogRatioBound, LogRatioBound);
        var weights = logRatio.exp().clamp_max(cap) * mask.to_type(oldLogProbs.dtype);
        return weights.detach().MoveToOuterDisposeScope();
    }
}
