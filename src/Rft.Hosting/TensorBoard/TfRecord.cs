using System.Buffers.Binary;
using System.Numerics;

namespace Rft.Hosting.TensorBoard;

/// <summary>
/// TFRecord framing, as TensorFlow's <c>record_writer.cc</c> writes it and TensorBoard reads it: a little-endian
/// uint64 length, the masked CRC32C of those 8 bytes, the data, the masked CRC32C of the data.
/// </summary>
internal static class TfRecord
{
    /// <summary>Bytes a record adds around its data.</summary>
    public const int Overhead = 8 + 4 + 4;

    /// <summary>Writes <paramref name="data"/> as one record through <paramref name="header"/> (at least 12 bytes of scratch).</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> data, Span<byte> header)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc32C(header[..8]));
        stream.Write(header[..12]);
        stream.Write(data);
        BinaryPrimitives.WriteUInt32LittleEndian(header, MaskedCrc32C(data));
        stream.Write(header[..4]);
    }

    /// <summary>TensorFlow's <c>crc32c::Mask</c>: rotate right by 15 bits and add a constant, so a CRC of data holding CRCs stays strong.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    /// <summary>CRC-32C (Castagnoli, reflected, initial and final value 0xFFFFFFFF) through the CPU's CRC32 instruction where it has one.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
