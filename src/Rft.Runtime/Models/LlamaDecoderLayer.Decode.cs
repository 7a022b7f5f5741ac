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

    /// <summary>
    /// <see cref="DrawsRandomNumbers"/> without enumerating modules: a training forward of this layer draws LoRA dropout.
    /// </summary>
    internal bool DrawsDropout => training && (self_attn.HasAdapterDropout || mlp.HasAdapterDropout);

    /// <summary><see cref="Forward"/> for more than one position per row, on native handles (see <see cref="LlamaAttention.Forward(NativeFrame, IntPtr, long, long, IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, int, bool, out IntPtr, out IntPtr)"/>).</summary>
    internal IntPtr Forward(NativeFrame f, IntPtr hidden, long rows, long length, IntPtr cos, IntPtr signedSin, IntPtr mask, IntPtr keys, IntPtr values, int offset,
        ScalarType dtype, bool prefix, out IntPtr ownKeys, out IntPtr ownValues)
    {
        var attention = self_attn.Forward(f, input_layernorm.Decode(f, hidden, dtype), rows, length, cos, signedSin, mask, keys, values, offset, prefix,
            out ownKeys, out ownValues);
        var h = f.Add(hidden, attention);
        return f.Add(h, mlp.Decode(f, post_attention_layernorm.Decode(f, h, dtype)));
    }
}
