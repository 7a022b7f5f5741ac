using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Models.Formats;

/// <summary>
/// The raw storage of a contiguous CPU tensor, in chunks: TorchSharp's <c>bytes</c> span is limited to
/// 2 GiB, which one embedding matrix of a large model exceeds.
/// </summary>
internal static partial class TensorBytes
{
    private const int Chunk = 1 << 30;

    /// <summary>Calls <paramref name="action"/> on consecutive spans covering the tensor's bytes, with each span's offset.</summary>
    public static unsafe void ForEachChunk(Tensor tensor, long byteLength, SpanAction action)
    {
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException("Direct byte access needs a contiguous CPU tensor.", nameof(tensor));
        byte* start = (byte*)THSTensor_data(tensor.Handle);
        for (long done = 0; done < byteLength;)
        {
            int chunk = (int)Math.Min(Chunk, byteLength - done);
            action(new Span<byte>(start + done, chunk), done);
            done += chunk;
        }
    }

    public delegate void SpanAction(Span<byte> span, long offset);

    // The same entry point TorchSharp's own Tensor.bytes uses; the library is already loaded by TorchSharp.
    [LibraryImport("LibTorchSharp")]
    private static partial IntPtr THSTensor_data(IntPtr handle);
}
