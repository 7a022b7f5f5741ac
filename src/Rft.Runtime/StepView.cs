using static TorchSharp.torch;

namespace Rft;

/// <summary>
/// What a user loss term (<c>[LossTerm] static Tensor Name(StepView s)</c>) sees of one RL step: [N, T]
/// tensors over the N completions and their T completion positions. The generator computes only the
/// members some term reads (reading <see cref="RefLogProbs"/> builds the reference policy, reading
/// <see cref="Entropy"/> computes entropies); reading any other throws. The trainer fills one instance per step.
/// </summary>
public sealed class StepView
{
    private Tensor? _logProbs, _oldLogProbs, _refLogProbs, _entropy, _advantages, _scores, _mask, _values, _returns;

    /// <summary>[N, T] log-probs of the sampled tokens under the policy being trained (with gradient).</summary>
    public Tensor LogProbs { get => Read(_logProbs, nameof(LogProbs)); set => _logProbs = value; }

    /// <summary>[N, T] log-probs of the sampled tokens under the behaviour policy at rollout time.</summary>
    public Tensor OldLogProbs { get => Read(_oldLogProbs, nameof(OldLogProbs)); set => _oldLogProbs = value; }

    /// <summary>[N, T] log-probs under the frozen reference policy (no gradient).</summary>
    public Tensor RefLogProbs { get => Read(_refLogProbs, nameof(RefLogProbs)); set => _refLogProbs = value; }

    /// <summary>[N, T] entropy of the policy at each completion position (with gradient).</summary>
    public Tensor Entropy { get => Read(_entropy, nameof(Entropy)); set => _entropy = value; }

    /// <summary>[N, T] advantages (no gradient).</summary>
    public Tensor Advantages { get => Read(_advantages, nameof(Advantages)); set => _advantages = value; }

    /// <summary>[N] weighted reward of each completion (0 for a masked sample).</summary>
    public Tensor Scores { get => Read(_scores, nameof(Scores)); set => _scores = value; }

    /// <summary>[N, T] 1 on the completion tokens of valid samples, 0 elsewhere.</summary>
    public Tensor Mask { get => Read(_mask, nameof(Mask)); set => _mask = value; }

    /// <summary>[N, T] the value head's predictions (with gradient); needs [ValueHead].</summary>
    public Tensor Values { get => Read(_values, nameof(Values)); set => _values = value; }

    /// <summary>[N, T] GAE's return targets (no gradient); needs [Gae] and [ValueHead].</summary>
    public Tensor Returns { get => Read(_returns, nameof(Returns)); set => _returns = value; }

    /// <summary>Forgets the previous step's tensors.</summary>
    public void Clear() => _logProbs = _oldLogProbs = _refLogProbs = _entropy = _advantages = _scores = _mask = _values = _returns = null;

    private static Tensor Read(Tensor? value, string member) =>
        value ?? throw new InvalidOperationException(
            $"StepView.{member} was not computed for this step: the generator computes only the members a [LossTerm] method reads on its StepView parameter directly (s.{member}).");
}
