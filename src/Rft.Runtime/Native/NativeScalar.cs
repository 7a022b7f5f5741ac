using static Rft.Native.TorchNative;

namespace Rft.Native;

/// <summary>
/// A native scalar for one use, disposed with its <c>using</c>: for values that change from call to call (a learning
/// rate, a bias correction), which <see cref="NativeFrame"/>'s per-value cache would keep forever. Nothing on the
/// managed heap.
/// </summary>
internal readonly ref struct NativeScalar
{
    public NativeScalar(double value)
    {
        Handle = THSTorch_float64_to_scalar(value);
        if (Handle == IntPtr.Zero) TorchSharp.torch.CheckForErrors();
    }

    public IntPtr Handle { get; }

    public void Dispose() => THSTorch_dispose_scalar(Handle);
}
