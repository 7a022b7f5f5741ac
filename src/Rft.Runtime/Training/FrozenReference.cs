using Rft.Models;
using Rft.Models.Lora;
using Rft.Training.Forward;
using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// The frozen reference policy of a KL term (or of a loss term reading reference log-probs): the policy as RL starts.
/// Either a frozen copy of its weights, or, when RL trains LoRA adapters that start from B = 0, the policy itself with its
/// adapters switched off for the reference's forward: then the reference costs no second copy of the weights.
/// </summary>
public sealed class FrozenReference : IDisposable
{
    private readonly LlamaForCausalLM _model;
    private readonly bool _baseOfPolicy;

    private FrozenReference(LlamaForCausalLM model, bool baseOfPolicy)
    {
        _model = model;
        _baseOfPolicy = baseOfPolicy;
    }

    /// <summary>
    /// The reference of <paramref name="policy"/> as it is now. With <paramref name="baseWeightsAreReference"/> (RL trains LoRA
    /// adapters that are attached fresh, now or later, on weights that no longer change), the policy's base weights are used in
    /// place; otherwise the weights, adapters included, are copied and frozen (<see cref="ReferencePolicy.Create"/>).
    /// </summary>
    public static FrozenReference Of(LlamaForCausalLM policy, bool baseWeightsAreReference)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!baseWeightsAreReference) return new FrozenReference(ReferencePolicy.Create(policy), baseOfPolicy: false);
        ReferencePolicy.Count();
        return new FrozenReference(policy, baseOfPolicy: true);
    }

    /// <summary>
    /// The reference a checkpoint saved: the policy's base weights again, or a copy of <paramref name="policy"/>'s structure
    /// (as it stood when RL started) with the saved weights read into it from <paramref name="path"/>.
    /// </summary>
    /// <exception cref="FormatException">The file does not hold that structure's parameters.</exception>
    public static FrozenReference Restore(LlamaForCausalLM policy, bool baseWeightsAreReference, string path)
    {
        var reference = Of(policy, baseWeightsAreReference);
        if (baseWeightsAreReference) return reference;
        try
        {
            ModuleState.Load(reference._model, path);
            return reference;
        }
        catch
        {
            reference.Dispose();
            throw;
        }
    }

    /// <summary>Writes a copied reference's weights to <paramref name="path"/> (nothing for the policy's base weights, which the policy's own files hold).</summary>
    public void Save(string path)
    {
        if (!_baseOfPolicy) ModuleState.Save(_model, path);
    }

    /// <summary>True when the reference is the policy's base weights (no copy).</summary>
    public bool SharesPolicyWeights => _baseOfPolicy;

    /// <summary>[rows, T] the reference's log-probs of the completion tokens, without a graph, micro-batched.</summary>
    public Tensor LogProbs(SequenceRows rows, double temperature, int microBatchSize)
    {
        if (!_baseOfPolicy) return PolicyForward.LogProbsWithoutGrad(_model, rows, temperature, microBatchSize);
        using var suspended = LoraAdapters.Suspend(_model);
        return PolicyForward.LogProbsWithoutGrad(_model, rows, temperature, microBatchSize);
    }

    public void Dispose()
    {
        if (!_baseOfPolicy) _model.Dispose();
    }
}
