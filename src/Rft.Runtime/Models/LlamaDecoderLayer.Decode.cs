using Rft.Native;
using static TorchSharp.torch;

namespace Rft.Models;

public sealed partial class LlamaDecoderLayer
{
    /// <summary>This layer's stacked projections for decoding (<see cref="DecodeProjections"/>).</summary>
    internal DecodeProjections StackProjections(NativeFrame f)
    {
        var (qkvWeight, qkvBias) = self_attn.StackQkv(f);
        return new DecodeProjections(qkvWeight, qkvBias);
    }

    /// <summary><see cref="Forward"/> on native handles; see <see cref="LlamaAttention.Decode"/> for the arguments.</summary>
    internal IntPtr Decode(NativeFrame f, IntPtr hidden, long rows, IntPtr cos, IntPtr signedSin, IntPtr bias, IntPtr keys, IntPtr values, int slot,
        ScalarType dtype, DecodeProjections stacked)
    {
        var attention = self_attn.Decode(f, input_layernorm.Decode(f, hidden, dtype), rows, cos, signedSin, bias, keys, values, slot, dtype,
            (stacked.QkvWeight, stacked.QkvBias));
        var h = f.Add(hidden, attention);
        return f.Add(h, mlp.Decode(f, post_attention_layernorm.Decode(f, h, dtype)));
    }
}
