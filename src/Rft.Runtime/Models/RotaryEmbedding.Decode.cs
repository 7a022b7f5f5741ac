using Rft.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Models;

public sealed partial class RotaryEmbedding
{
    /// <summary>
    /// Whether <see cref="Decode"/> can serve every position: false with dynamic NTK scaling, whose tables depend on the
    /// longest position in the batch (<see cref="Lookup"/> rebuilds them, reading that position on the host).
    /// </summary>
    internal bool HasFixedTables => _dynamic is null;

    /// <summary><see cref="Lookup"/> on native handles for [rows, length] positions: cos and signed sin, [rows, length, 1, headDim] each.</summary>
    /// <param name="device">Where the positions are (and the tables must be): compared, not allocated, per call.</param>
    internal (IntPtr Cos, IntPtr SignedSin) Decode(NativeFrame f, IntPtr positionIds, long rows, (DeviceType Type, int Index) device, ScalarType dtype, long length = 1)
    {
        if (!HasFixedTables) throw new InvalidOperationException("Dynamic rotary scaling has no fixed tables; decode through LlamaForCausalLM.ForwardCached.");
        if (_cos.device_type != device.Type || _cos.device_index != device.Index || _cos.dtype != dtype) Move(new Device(device.Type, device.Index), dtype);
        var flat = f.Flatten(positionIds);
        return (f.View(f.IndexSelect(_cos.Handle, 0, flat), rows, length, 1, _headDim), f.View(f.IndexSelect(_signedSin.Handle, 0, flat), rows, length, 1, _headDim));
    }

    /// <summary><see cref="Apply"/> on native handles.</summary>
    internal static IntPtr Apply(NativeFrame f, IntPtr x, long headDim, IntPtr cos, IntPtr signedSin) =>
        f.Add(f.Mul(x, cos), f.Mul(f.Roll(x, headDim / 2, -1), signedSin));
}
