using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Models;

/// <summary>Pre-norm decoder block: <c>x + self_attn(input_layernorm(x))</c>, then <c>h + mlp(post_attention_layernorm(h))</c>.</summary>
public sealed partial class LlamaDecoderLayer : nn.Module
{
    private readonly LlamaAttention self_attn;
    private readonly LlamaMlp mlp;
    private readonly RmsNorm input_layernorm;
    private readonly RmsNorm post_attention_layernorm;

    public LlamaDecoderLayer(LlamaConfig config, Device? device = null, ScalarType dtype = ScalarType.Float32) : base(nameof(LlamaDecoderLayer))
    {
        self_attn = new LlamaAttention(config, device, dtype);
        mlp = new LlamaMlp(config, device, dtype);
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        RegisterComponents();
    }

    /// <summary>True when a training forward draws random numbers: LoRA dropout on one of its projections.</summary>
    internal bool DrawsRandomNumbers => training && modules().Any(m => m is Lora.AdaptableLinear { Dropout: > 0 });

    /// <summary>See <see cref="LlamaAttention.Forward"/> for the arguments; returns [B, T, hidden].</summary>
    public Tensor Forward(Tensor hidden, Tensor cos, Tensor signedSin, Tensor mask, Tensor? cachedKeys, Tensor? cachedValues, int offset)
    {
        var h = hidden + self_attn.Forward(input_layernorm.forward(hidden), cos, signedSin, mask, cachedKeys, cachedValues, offset);
        return h + mlp.forward(post_attention_layernorm.forward(h));
    }
}
