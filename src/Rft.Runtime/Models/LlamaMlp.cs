using Rft.Models.Lora;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Models;

/// <summary>SwiGLU feed-forward: <c>down_proj(silu(gate_proj(x)) * up_proj(x))</c>, no biases.</summary>
public sealed partial class LlamaMlp : nn.Module<Tensor, Tensor>
{
    private readonly AdaptableLinear gate_proj;
    private readonly AdaptableLinear up_proj;
    private readonly AdaptableLinear down_proj;

    public LlamaMlp(LlamaConfig config, Device? device = null, ScalarType dtype = ScalarType.Float32) : base(nameof(LlamaMlp))
    {
        gate_proj = new AdaptableLinear(config.HiddenSize, config.IntermediateSize, hasBias: false, device, dtype);
        up_proj = new AdaptableLinear(config.HiddenSize, config.IntermediateSize, hasBias: false, device, dtype);
        down_proj = new AdaptableLinear(config.IntermediateSize, config.HiddenSize, hasBias: false, device, dtype);
        RegisterComponents();
    }

    /// <param name="input">[B, T, hidden]</param>
    public override Tensor forward(Tensor input) =>
        down_proj.forward(nn.functional.silu(gate_proj.forward(input)) * up_proj.forward(input));
}
