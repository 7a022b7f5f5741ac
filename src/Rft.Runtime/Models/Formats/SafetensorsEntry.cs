using static TorchSharp.torch;

namespace Rft.Models.Formats;

/// <summary>One tensor of a safetensors header, validated against the file.</summary>
/// <param name="DTypeName">The header's dtype string (<c>F32</c>, <c>BF16</c>...).</param>
/// <param name="Begin">Start of the bytes, relative to the data region (after the header).</param>
/// <param name="End">One past the last byte, relative to the data region.</param>
public sealed record SafetensorsEntry(string Name, string DTypeName, ScalarType DType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
}
