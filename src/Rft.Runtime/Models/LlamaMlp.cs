using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rft.Models;

/// <summary>SwiGLU feed-forward: <c>down_proj(silu(gate_proj(x)) * up_proj(x))</c>, no biases.</summary>
public sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate_proj;
    private readonly Linear up_proj;
    private readonly Linear down_proj;

    public LlamaMlp(LlamaConfig config, Device? device = null, ScalarType dtype = ScalarType.Float32) : base(nameof(LlamaMlp))
    {
        gate_proj = ParameterFactory.Linear(config.HiddenSize, config.IntermediateSize, device, dtype);
        up_proj = ParameterFactory.Linear(config.HiddenSize, config.IntermediateSize, device, dtype);
        down_proj = ParameterFactory.Linear(config.IntermediateSize, config.HiddenSize, device, dtype);
        RegisterComponents();
    }

    /// <param name="input">[B, T, hidden]</param>
    public override Tensor forward(Tensor input) =>
        down_proj.forward(nn.functional.silu(gate_proj.forward(input)) * up_proj.forward(input));
}
