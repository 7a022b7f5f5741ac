using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rft.Models;

/// <summary>Root-mean-square layer norm as Hugging Face's <c>LlamaRMSNorm</c>: normalise in float32, then scale.</summary>
public sealed partial class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;

    public RmsNorm(int size, double eps, Device? device = null, ScalarType dtype = ScalarType.Float32) : base(nameof(RmsNorm))
    {
        weight = ParameterFactory.Parameter(ones(size, dtype, device));
        _eps = eps;
        RegisterComponents();
    }

    /// <param name="input">[..., size]</param>
    public override Tensor forward(Tensor input)
    {
        var x = input.dtype == ScalarType.Float32 ? input : input.to(ScalarType.Float32);
        var normed = x * x.square().mean([-1L], keepdim: true).add_(_eps).rsqrt_();
        return weight * (input.dtype == ScalarType.Float32 ? normed : normed.to(input.dtype));
    }
}
