using Rft.Native;
using static TorchSharp.torch;

namespace Rft.Models;

public sealed partial class RmsNorm
{
    /// <summary><see cref="forward"/> on native handles, operation for operation (see <see cref="LlamaForCausalLM.DecodeLogits"/>).</summary>
    internal IntPtr Decode(NativeFrame f, IntPtr input, ScalarType type)
    {
        var x = type == ScalarType.Float32 ? input : f.ToType(input, ScalarType.Float32);
        var normed = f.Mul(x, f.RsqrtInPlace(f.AddInPlace(f.MeanOfLastKeepDim(f.Square(x)), _eps)));
        return f.Mul(weight.Handle, type == ScalarType.Float32 ? normed : f.ToType(normed, type));
    }
}
