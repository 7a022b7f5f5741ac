using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>Policy-gradient losses over sampled tokens.</summary>
public static class PolicyLosses
{
    /// <summary>
    /// PPO's clipped surrogate with an asymmetric range (DAPO's clip-higher):
    /// <c>max(-A r, -A clip(r, 1 - clipLow, 1 + clipHigh))</c> with <c>r = exp(logp - old)</c>.
    /// The log-ratio is clamped to [-20, 20] before exponentiating, as in verl.
    /// </summary>
    /// <param name="logProbs">[N, T] log-probs under the current policy (with gradient).</param>
    /// <param name="oldLogProbs">[N, T] behaviour log-probs from the rollout.</param>
    /// <param name="advantages">[N, T] or [N, 1] advantages.</param>
    public static ClippedSurrogate ClippedSurrogate(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, double clipLow, double clipHigh)
    {
        using var scope = NewDisposeScope();
        var ratio = (logProbs - oldLogProbs).clamp(-20.0, 20.0).exp();
        var unclipped = -advantages * ratio;
        var clipped = -advantages * ratio.clamp(1.0 - clipLow, 1.0 + clipHigh);
        var loss = maximum(unclipped, clipped);
        var active = clipped.gt(unclipped);
        return new ClippedSurrogate(loss.MoveToOuterDisposeScope(), active.MoveToOuterDisposeScope());
    }
}
