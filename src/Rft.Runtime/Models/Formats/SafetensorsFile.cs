using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Models.Formats;

/// <summary>
/// A safetensors file opened for reading: an 8-byte little-endian header length, a JSON header
/// (<c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}</c>), then the
/// tensor bytes. The whole header is validated when the file is opened, before any tensor memory is
/// allocated; tensors are then read one at a time straight from the file into their destination.
/// No code is ever executed from a checkpoint: the format holds only JSON and raw numbers.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    /// <summary>Largest header accepted (the reference implementation caps it at 100 MB too).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private readonly SafeFileHandle _handle;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafetensorsEntry> _entries;

    private SafetensorsFile(string path, SafeFileHandle handle, long dataStart, Dictionary<string, SafetensorsEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        _dataStart = dataStart;
        _entries = entries;
        Metadata = metadata;
    }

    public string Path { get; }

    /// <summary>The tensors by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries => _entries;

    /// <summary>The header's <c>__metadata__</c> strings; empty when absent.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and validates <paramref name="path"/>.</summary>
    /// <exception cref="SafetensorsFormatException">The header is malformed or disagrees with the file; the message says where.</exception>
    public static SafetensorsFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Reading safetensors needs a little-endian machine.");
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            long fileLength = RandomAccess.GetLength(handle);
            if (fileLength < 8)
                throw new SafetensorsFormatException($"{path}: the file is {fileLength} bytes, too short for the 8-byte header length (truncated?).");

            Span<byte> prefix = stackalloc byte[8];
            ReadExactly(handle, prefix, 0, path);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > MaxHeaderBytes)
                throw new SafetensorsFormatException($"{path}: the header claims {headerLength} bytes, more than the {MaxHeaderBytes}-byte limit (corrupt length prefix?).");
            if ((long)headerLength > fileLength - 8)
                throw new SafetensorsFormatException($"{path}: the header claims {headerLength} bytes but only {fileLength - 8} follow the length prefix (truncated file).");

            var json = new byte[headerLength];
            ReadExactly(handle, json, 8, path);
            long dataStart = 8 + (long)headerLength;
            var (entries, metadata) = ParseHeader(path, json, fileLength - dataStart);
            return new SafetensorsFile(path, handle, dataStart, entries, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads tensor <paramref name="name"/> into a new CPU tensor of <paramref name="dtype"/> (default: the stored type).</summary>
    public Tensor Read(string name, ScalarType? dtype = null)
    {
        var entry = Entry(name);
        var target = empty(entry.Shape, dtype ?? entry.DType, CPU);
        try
        {
            ReadInto(name, target);
            return target;
        }
        catch
        {
            target.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies tensor <paramref name="name"/> into <paramref name="destination"/>, converting its type. A
    /// contiguous CPU destination of the stored type is filled straight from the file; otherwise one
    /// staging tensor of this tensor's size is used, so loading a model never holds two copies of it.
    /// </summary>
    /// <exception cref="ArgumentException">The destination's shape differs from the stored one.</exception>
    public void ReadInto(string name, Tensor destination) => ReadInto(name, destination, staging: null);

    /// <summary>
    /// As <see cref="ReadInto(string, Tensor)"/>, staging a conversion in <paramref name="staging"/> when given: a flat,
    /// contiguous CPU tensor of the stored dtype with at least as many elements, reused across tensors so that a
    /// whole-model load allocates one staging buffer (freed buffers would otherwise stay resident in the allocator's heap).
    /// </summary>
    public void ReadInto(string name, Tensor destination, Tensor? staging)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var entry = Entry(name);
        if (!destination.shape.SequenceEqual(entry.Shape))
            throw new ArgumentException($"{Path}: tensor \"{name}\" has shape [{string.Join(", ", entry.Shape)}] but the destination is [{string.Join(", ", destination.shape)}].", nameof(destination));

        using var _ = no_grad();
        if (destination.dtype == entry.DType && destination.device_type == DeviceType.CPU && destination.is_contiguous())
        {
            ReadBytes(entry, destination);
            return;
        }

        long count = destination.numel();
        if (staging is not null && staging.dtype == entry.DType && staging.device_type == DeviceType.CPU && staging.dim() == 1 && staging.numel() >= count)
        {
            using var view = staging.narrow(0, 0, count).view(entry.Shape);
            ReadBytes(entry, view);
            destination.copy_(view);
            return;
        }

        using var own = empty(entry.Shape, entry.DType, CPU);
        ReadBytes(entry, own);
        destination.copy_(own);
    }

    private SafetensorsEntry Entry(string name) =>
        _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"{Path}: no tensor named \"{name}\".");

    private void ReadBytes(SafetensorsEntry entry, Tensor target)
    {
        long start = _dataStart + entry.Begin;
        TensorBytes.ForEachChunk(target, entry.ByteLength, (span, offset) => ReadExactly(_handle, span, start + offset, Path));
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        while (buffer.Length > 0)
        {
            int read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0) throw new SafetensorsFormatException($"{path}: unexpected end of file at byte {offset} (the file was truncated or changed while reading).");
            buffer = buffer[read..];
            offset += read;
        }
    }

    private static (Dictionary<string, SafetensorsEntry>, Dictionary<string, string>) ParseHeader(string path, byte[] json, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException($"{path}: the header is not valid JSON ({e.Message}).", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException($"{path}: the header must be a JSON object, not {document.RootElement.ValueKind}.");

            var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (sawMetadata) throw new SafetensorsFormatException($"{path}: \"{MetadataKey}\" appears twice in the header.");
                    sawMetadata = true;
                    ParseMetadata(path, property.Value, metadata);
                    continue;
                }

                if (entries.ContainsKey(property.Name)) throw new SafetensorsFormatException($"{path}: tensor \"{property.Name}\" appears twice in the header.");
                entries.Add(property.Name, ParseEntry(path, property.Name, property.Value, dataLength));
            }

            // Sorted by start, each tensor must end before the next begins.
            var ordered = entries.Values.OrderBy(e => e.Begin).ThenBy(e => e.End).ToArray();
            for (int i = 1; i < ordered.Length; i++)
            {
                var (previous, current) = (ordered[i - 1], ordered[i]);
                if (current.Begin < previous.End && current.ByteLength > 0 && previous.ByteLength > 0)
                {
                    throw new SafetensorsFormatException(
                        $"{path}: tensor \"{current.Name}\" (bytes [{current.Begin}, {current.End})) overlaps tensor \"{previous.Name}\" (bytes [{previous.Begin}, {previous.End})).");
                }
            }

            return (entries, metadata);
        }
    }

    private static void ParseMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException($"{path}: \"{MetadataKey}\" must be an object of strings, not {value.ValueKind}.");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new SafetensorsFormatException($"{path}: metadata \"{item.Name}\" must be a string, not {item.Value.ValueKind}.");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafetensorsEntry ParseEntry(string path, string name, JsonElement value, long dataLength)
    {
        string where = $"{path}: tensor \"{name}\"";
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException($"{where} must be an object with dtype, shape and data_offsets, not {value.ValueKind}.");

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new SafetensorsFormatException($"{where} has no string \"dtype\".");
        string dtypeName = dtypeElement.GetString()!;
        if (!SafetensorsDType.TryParse(dtypeName, out var dtype, out int elementSize))
            throw new SafetensorsFormatException($"{where} has unknown or unsupported dtype \"{dtypeName}\"; supported: {SafetensorsDType.SupportedNames}.");

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new SafetensorsFormatException($"{where} has no \"shape\" array.");
        var shape = new long[shapeElement.GetArrayLength()];
        long expectedBytes = elementSize;
        int d = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long size))
                throw new SafetensorsFormatException($"{where}: shape dimension {d} is not an integer ({dim.GetRawText()}).");
            if (size < 0) throw new SafetensorsFormatException($"{where}: shape dimension {d} is negative ({size}).");
            shape[d++] = size;
            try
            {
                expectedBytes = checked(expectedBytes * size);
            }
            catch (OverflowException)
            {
                throw new SafetensorsFormatException(
                    $"{where}: shape [{string.Join(", ", shape.Take(d))}...] x {elementSize}-byte {dtypeName} overflows a 64-bit byte count.");
            }
        }

        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new SafetensorsFormatException($"{where} has no \"data_offsets\" array of two integers.");
        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < 0)
            throw new SafetensorsFormatException($"{where}: data_offsets {offsets.GetRawText()} must be two non-negative integers.");
        if (end < begin)
            throw new SafetensorsFormatException($"{where}: data_offsets [{begin}, {end}) end before they begin.");
        if (end > dataLength)
            throw new SafetensorsFormatException($"{where}: data_offsets [{begin}, {end}) run past the data region of {dataLength} bytes (offsets out of bounds, or a truncated file).");
        if (end - begin != expectedBytes)
        {
            throw new SafetensorsFormatException(
                $"{where}: shape [{string.Join(", ", shape)}] of {dtypeName} needs {expectedBytes} bytes but data_offsets [{begin}, {end}) hold {end - begin} (length mismatch).");
        }

        foreach (var property in value.EnumerateObject())
        {
            if (property.Name is not ("dtype" or "shape" or "data_offsets"))
                throw new SafetensorsFormatException($"{where} has unexpected field \"{property.Name}\"; expected dtype, shape, data_offsets.");
        }

        return new SafetensorsEntry(name, dtypeName, dtype, shape, begin, end);
    }

    public void Dispose() => _handle.Dispose();
}
