using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Models.Formats;

/// <summary>Writes tensors as a safetensors file, in the order given, each tensor's bytes straight after the last.</summary>
public static class SafetensorsWriter
{
    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> (replacing it). The JSON header is
    /// padded with spaces to a multiple of 8 bytes, as the reference writer does, so every tensor starts
    /// 8-byte aligned relative to the file when its predecessors' sizes allow.
    /// </summary>
    /// <exception cref="ArgumentException">Two tensors share a name, or a tensor's type has no safetensors name.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Writing safetensors needs a little-endian machine.");

        var items = tensors.ToArray();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in items)
        {
            if (name == "__metadata__") throw new ArgumentException("\"__metadata__\" is reserved and cannot name a tensor.", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"Tensor \"{name}\" is given twice.", nameof(tensors));
        }

        var header = Header(items, metadata);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (var (_, tensor) in items) WriteBytes(stream, tensor);
    }

    private static byte[] Header(KeyValuePair<string, Tensor>[] items, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal)) json.WriteString(key, value);
                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, tensor) in items)
            {
                long length = tensor.numel() * SafetensorsDType.SizeOf(tensor.dtype);
                json.WriteStartObject(name);
                json.WriteString("dtype", SafetensorsDType.NameOf(tensor.dtype));
                json.WriteStartArray("shape");
                foreach (long dim in tensor.shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += length;
            }

            json.WriteEndObject();
        }

        int padding = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static void WriteBytes(Stream stream, Tensor tensor)
    {
        using var _ = no_grad();
        var host = tensor.device_type == DeviceType.CPU && tensor.is_contiguous() ? tensor : tensor.cpu().contiguous();
        try
        {
            long length = host.numel() * SafetensorsDType.SizeOf(host.dtype);
            TensorBytes.ForEachChunk(host, length, (span, _) => stream.Write(span));
        }
        finally
        {
            if (!ReferenceEquals(host, tensor)) host.Dispose();
        }
    }
}
