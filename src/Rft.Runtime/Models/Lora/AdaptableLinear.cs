using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rft.Models.Lora;

/// <summary>
/// A bias-optional linear layer that can carry one low-rank adapter: <c>y = W x + b + scale * B (A x)</c>.
/// Without an adapter its state dict is that of a plain linear layer (<c>weight</c>, <c>bias</c>), so Hugging Face
/// keys such as <c>q_proj.weight</c> are unchanged; with one it adds <c>lora_A.weight</c> [r, in] and
/// <c>lora_B.weight</c> [out, r], PEFT's names.
/// </summary>
public sealed partial class AdaptableLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private Linear? lora_A;
    private Linear? lora_B;
    private DropoutRandom? _dropoutRandom;

    internal AdaptableLinear(int inputSize, int outputSize, bool hasBias, Device? device, ScalarType dtype) : base(nameof(AdaptableLinear))
    {
        weight = ParameterFactory.Parameter(empty(outputSize, inputSize, dtype, device));
        if (hasBias) bias = ParameterFactory.Parameter(zeros(outputSize, dtype, device));
        RegisterComponents();
    }

    public Parameter Weight => weight;

    public int InputSize => (int)weight.shape[1];

    public int OutputSize => (int)weight.shape[0];

    /// <summary>Whether an adapter is attached.</summary>
    public bool HasAdapter => lora_A is not null;

    /// <summary>The adapter's down-projection A [r, in]; null without an adapter.</summary>
    public Parameter? AdapterA => lora_A?.weight;

    /// <summary>The adapter's up-projection B [out, r]; null without an adapter.</summary>
    public Parameter? AdapterB => lora_B?.weight;

    /// <summary>alpha / r, the factor on <c>B A x</c>.</summary>
    public double Scale { get; private set; }

    /// <summary>
    /// Dropout probability on the adapter's input, applied only in training mode with gradients enabled: rollouts and
    /// evaluation run under <c>no_grad</c> and must see the same function as the loss's reference log-probabilities.
    /// </summary>
    public double Dropout { get; private set; }

    /// <summary>
    /// Attaches an adapter with A drawn from U(-1/sqrt(in), 1/sqrt(in)) and B = 0, so the layer's output is unchanged.
    /// That bound is PEFT's default, <c>kaiming_uniform_(lora_A.weight, a=math.sqrt(5))</c> in
    /// <c>LoraLayer.reset_lora_parameters</c> (huggingface/peft, src/peft/tuners/lora/layer.py): gain sqrt(2 / (1 + 5)),
    /// bound gain * sqrt(3 / fan_in) = 1 / sqrt(in), the same init as <c>nn.Linear</c>'s weight.
    /// </summary>
    /// <param name="generator">Draws A; null leaves A at zero, for callers that then copy weights into it.</param>
    internal void AttachAdapter(int rank, double scale, double dropout, Generator? generator, DropoutRandom? dropoutRandom = null)
    {
        if (HasAdapter) throw new InvalidOperationException("This layer already has a LoRA adapter; merge or remove it first.");
        var a = ParameterFactory.Parameter(zeros(rank, InputSize, weight.dtype, weight.device));
        var b = ParameterFactory.Parameter(zeros(OutputSize, rank, weight.dtype, weight.device));
        if (generator is not null)
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            double bound = 1.0 / Math.Sqrt(InputSize);
            // Drawn on the CPU (where the seeded generator lives) in float32, so A is the same whatever the device or precision.
            a.copy_(empty(rank, InputSize, ScalarType.Float32, CPU).uniform_(-bound, bound, generator));
        }

        lora_A = nn.Linear(a);
        lora_B = nn.Linear(b);
        register_module(nameof(lora_A), lora_A);
        register_module(nameof(lora_B), lora_B);
        Scale = scale;
        Dropout = dropout;
        _dropoutRandom = dropoutRandom;
    }

    /// <summary>The adapter's contribution to the weight, <c>scale * B A</c> [out, in]; null without an adapter.</summary>
    internal Tensor? AdapterDelta()
    {
        if (lora_A is null || lora_B is null) return null;
        using var _ = no_grad();
        return lora_B.weight!.matmul(lora_A.weight!).mul_(Scale);
    }

    /// <summary>Folds <c>scale * B A</c> into W and removes the adapter; a layer without one is left as it is.</summary>
    internal void MergeAdapter()
    {
        if (lora_A is null || lora_B is null) return;
        using (var delta = AdapterDelta()!)
        using (no_grad())
        {
            weight.add_(delta);
        }

        RemoveAdapter();
    }

    /// <summary>Drops the adapter without touching W.</summary>
    internal void RemoveAdapter()
    {
        if (lora_A is null || lora_B is null) return;
        _internal_submodules.Remove(nameof(lora_A));
        _internal_submodules.Remove(nameof(lora_B));
        lora_A.Dispose();
        lora_B.Dispose();
        lora_A = null;
        lora_B = null;
        Scale = 0;
        Dropout = 0;
    }

    /// <summary>
    /// Set on this thread while a checkpointed layer runs its training forward without a graph
    /// (<see cref="CheckpointedLayerFunction"/>): dropout must act there as in the recomputation, although gradients are off.
    /// </summary>
    [ThreadStatic]
    internal static bool InCheckpointedForward;

    /// <summary>While true the layer computes its base projection only, as if it had no adapter (<see cref="LoraAdapters.Suspend"/>).</summary>
    internal bool Suspended { get; set; }

    /// <param name="input">[..., in]</param>
    /// <returns>[..., out]</returns>
    public override Tensor forward(Tensor input)
    {
        var output = nn.functional.linear(input, weight, bias);
        if (lora_A is null || lora_B is null || Suspended) return output;
        bool dropout = Dropout > 0 && training && (is_grad_enabled() || InCheckpointedForward);
        var adapterInput = !dropout ? input : _dropoutRandom is null ? nn.functional.dropout(input, Dropout, training: true) : _dropoutRandom.Dropout(input, Dropout);
        return output.add_(lora_B.forward(lora_A.forward(adapterInput)), alpha: Scale);
    }
}
