using Rft.Native;
using static TorchSharp.torch;

namespace Rft.Models;

public sealed partial class LlamaDecoderLayer
{
    /// <summary><see cref="Forward"/> on native handles; see <see cref="LlamaAttention.Decode"/> for the arguments.</summary>
    internal IntPtr Decode(NativeFrame f, IntPtr hidden, long rows, IntPtr cos, IntPtr signedSin, IntPtr blocked, IntPtr keys, IntPtr values, int slot, ScalarType dtype)
    {
        var h = f.Add(hidden, self_attn.Decode(f, input_layernorm.Decode(f, hidden, dtype), rows, cos, signedSin, blocked, keys, values, slot, dtype));
        return f.Add(h, mlp.Decode(f, post_attention_layernorm.Decode(f, h, dtype)));
    }
}
