using Rft.Native;

namespace Rft.Models;

public sealed partial class LlamaMlp
{
    /// <summary><see cref="forward"/> on native handles.</summary>
    internal IntPtr Decode(NativeFrame f, IntPtr input) =>
        down_proj.Decode(f, f.Mul(f.Silu(gate_proj.Decode(f, input)), up_proj.Decode(f, input)));

    /// <summary>Whether a projection's adapter has dropout.</summary>
    internal bool HasAdapterDropout => gate_proj.Dropout > 0 || up_proj.Dropout > 0 || down_proj.Dropout > 0;
}
