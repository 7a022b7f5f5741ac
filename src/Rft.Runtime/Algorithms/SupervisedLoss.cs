using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// Supervised cross-entropy on demonstrations, with CHORD's optional token weight (Zhang et al. 2025,
/// arXiv:2508.11408, CHORD-phi).
/// </summary>
public static class SupervisedLoss
{
    /// <summary>
    /// <c>-sum(w logp mask) / N</c>, with <c>N = tokenCount</c> when given (a whole batch's target tokens, for a
    /// micro-batch of it) or the mask's own sum (at least 1); <c>w = 1</c>, or with <paramref name="tokenWeight"/>
    /// CHORD-phi's <c>w = sg[p (1 - p)]</c>, <c>p = e^logp</c>, which down-weights tokens the policy already predicts
    /// with certainty and those it finds very unlikely.
    /// </summary>
    /// <param name="logProbs">[rows, L] log-probs of the labels.</param>
    /// <param name="mask">[rows, L] 1 on the tokens the loss covers.</param>
    public static Tensor NegativeLogLikelihood(Tensor logProbs, Tensor mask, bool tokenWeight = false, double? tokenCount = null)
    {
        using var scope = NewDisposeScope();
        var tokenLosses = -logProbs;
        if (tokenWeight)
        {
            var probabilities = logProbs.detach().exp();
            tokenLosses = tokenLosses * (probabilities * (1.0 - probabilities));
        }

        var sum = (tokenLosses * mask).sum();
        var loss = tokenCount is { } n ? sum / Math.Max(n, 1.0) : sum / mask.sum().clamp_min(1.0);
        return loss.MoveToOuterDisposeScope();
    }
}
