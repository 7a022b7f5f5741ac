using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// Contrastive Policy Gradient (Flet-Berliac et al. 2024, "Contrastive Policy Gradient: Aligning LLMs on sequence-level
/// scores in a supervised-friendly fashion", EMNLP 2024, arXiv:2406.19185, Eq. 7 and 17). With the sequence log-ratio
/// <c>u(y) = ln π(y) / π_ref(y) = sum_t (logp - ref) mask</c> and the regularized reward <c>R^π_β(y) = R(y) - β u(y)</c>,
/// the objective of a pair of completions of one prompt, to be maximized, is
/// <c>ℓ(y, y') = (R^π_{β/2}(y) - R^π_{β/2}(y')) u(y) + (R^π_{β/2}(y') - R^π_{β/2}(y)) u(y')
///           = (R^π_{β/2}(y) - R^π_{β/2}(y')) (u(y) - u(y'))</c>,
/// whose gradient is <c>(R^π_β(y) - R^π_β(y')) ∇ln π(y) + (R^π_β(y') - R^π_β(y)) ∇ln π(y')</c> (Eq. 18-19): a policy
/// gradient with the other completion as baseline, valid off-policy without importance weights.
/// </summary>
/// <remarks>
/// The paper defines pairs; a group of k completions of one prompt sums its k(k-1)/2 pairs with weight 1 / (k - 1),
/// the k-sample form Cohere's Command A report (arXiv:2504.00698) trains with: <c>ℓ_g = 1 / (k - 1) · sum_{i&lt;j} ℓ(y_i, y_j)</c>.
/// The gradient with respect to <c>u_i</c> is then the leave-one-out contrast <c>R^π_β(y_i) - mean_{j≠i} R^π_β(y_j)</c>,
/// RLOO's advantage on the regularized reward (the paper's Property 2 for k = 2, where ℓ_g is the pair loss itself).
/// The loss returned is <c>-mean_g ℓ_g</c>.
/// </remarks>
public static class CoPg
{
    /// <param name="logProb">[N, T] current log-probs of the completion tokens (with gradient).</param>
    /// <param name="refLogProb">[N, T] reference-policy log-probs.</param>
    /// <param name="rewards">[N] one sequence-level reward per completion.</param>
    /// <param name="responseMask">[N, T] 1 on completion tokens.</param>
    /// <param name="groupSize">Completions per prompt (k): rows [g·k, (g + 1)·k) share a prompt; at least 2.</param>
    /// <param name="beta">KL regularization strength β (≥ 0).</param>
    /// <exception cref="ArgumentException">Shapes that do not line up, a group size below 2 or a negative β.</exception>
    public static CoPgLossResult Loss(Tensor logProb, Tensor refLogProb, Tensor rewards, Tensor responseMask, int groupSize, double beta)
    {
        long n = logProb.shape[0];
        if (groupSize < 2 || n % groupSize != 0)
            throw new ArgumentException($"{n} completions cannot be split into groups of {groupSize} (CoPG contrasts pairs, so groups of at least 2).", nameof(groupSize));
        if (rewards.dim() != 1 || rewards.shape[0] != n)
            throw new ArgumentException($"rewards must be [{n}], one per completion; got [{string.Join(", ", rewards.shape)}].", nameof(rewards));
        if (!(beta >= 0)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "CoPG's KL strength beta must be 0 or more.");

        using var scope = NewDisposeScope();
        var mask = responseMask.to_type(logProb.dtype);
        var logRatios = ((logProb - refLogProb) * mask).sum(-1);                  // u [N]
        var reward = rewards.to_type(logProb.dtype);
        var halfRegularized = (reward - 0.5 * beta * logRatios).view(-1, groupSize);   // R^π_{β/2} [N/k, k]
        var u = logRatios.view(-1, groupSize);
        // sum_{i<j} (a_i - a_j)(u_i - u_j) = k sum_i a_i u_i - (sum_i a_i)(sum_i u_i).
        var pairSums = groupSize * (halfRegularized * u).sum(1) - halfRegularized.sum(1) * u.sum(1);
        var objective = pairSums / (groupSize - 1);                                // ℓ_g [N/k]
        var loss = -objective.mean();

        var regularized = (reward - beta * logRatios).detach();                   // R^π_β [N]
        var groupedRegularized = regularized.view(-1, groupSize);
        var leaveOneOutMean = (groupedRegularized.sum(1, keepdim: true) - groupedRegularized) / (groupSize - 1);
        var contrast = (groupedRegularized - leaveOneOutMean).reshape(n);
        return new CoPgLossResult(loss.MoveToOuterDisposeScope(), logRatios.detach().MoveToOuterDisposeScope(),
            regularized.MoveToOuterDisposeScope(), contrast.MoveToOuterDisposeScope());
    }
}
