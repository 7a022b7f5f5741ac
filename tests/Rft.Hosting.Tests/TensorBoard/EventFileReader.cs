using System.Buffers.Binary;
using System.IO.Hashing;
using Google.Protobuf;

namespace Rft.Hosting.Tests.TensorBoard;

/// <summary>
/// Reads TensorBoard event files without any of the writer's code: the TFRecord framing (uint64 length, masked
/// CRC-32C of the length, data, masked CRC-32C of the data) is checked with System.IO.Hashing's CRC-32C, and the
/// <c>Event</c> and <c>Summary</c> messages are parsed with Google.Protobuf's <see cref="CodedInputStream"/> from the
/// field numbers of TensorBoard's event.proto and summary.proto.
/// </summary>
public static class EventFileReader
{
    public sealed record Scalar(string Tag, float Value);

    public sealed record Event(double WallTime, long Step, string? FileVersion, IReadOnlyList<Scalar> Scalars);

    /// <exception cref="InvalidDataException">A record is truncated or a checksum does not match.</exception>
    public static IReadOnlyList<Event> Read(string path)
    {
        var events = new List<Event>();
        byte[] bytes = File.ReadAllBytes(path);
        int at = 0;
        while (at < bytes.Length)
        {
            if (bytes.Length - at < 12) throw new InvalidDataException($"record {events.Count}: truncated header at byte {at}");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            Check(bytes.AsSpan(at, 8), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)), $"record {events.Count}: length");
            at += 12;
            if ((ulong)(bytes.Length - at) < length + 4) throw new InvalidDataException($"record {events.Count}: truncated data at byte {at}");
            var data = bytes.AsSpan(at, (int)length);
            Check(data, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + (int)length)), $"record {events.Count}: data");
            events.Add(ParseEvent(data.ToArray()));
            at += (int)length + 4;
        }

        return events;
    }

    /// <summary>TensorFlow's masked CRC: rotate the CRC-32C right by 15 bits and add 0xa282ead8.</summary>
    public static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    private static void Check(ReadOnlySpan<byte> data, uint stored, string what)
    {
        uint expected = MaskedCrc(data);
        if (stored != expected) throw new InvalidDataException($"{what}: masked CRC-32C is 0x{stored:x8}, expected 0x{expected:x8}");
    }

    // event.proto: double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5.
    private static Event ParseEvent(byte[] data)
    {
        var input = new CodedInputStream(data);
        double wallTime = 0;
        long step = 0;
        string? fileVersion = null;
        var scalars = new List<Scalar>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: wallTime = input.ReadDouble(); break;
                case 2: step = input.ReadInt64(); break;
                case 3: fileVersion = input.ReadString(); break;
                case 5: ParseSummary(input.ReadBytes(), scalars); break;
                default: input.SkipLastField(); break;
            }
        }

        return new Event(wallTime, step, fileVersion, scalars);
    }

    // summary.proto: repeated Value value = 1; Value: string tag = 1; float simple_value = 2.
    private static void ParseSummary(ByteString summary, List<Scalar> scalars)
    {
        var input = new CodedInputStream(summary.ToByteArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 1)
            {
                input.SkipLastField();
                continue;
            }

            var value = new CodedInputStream(input.ReadBytes().ToByteArray());
            string? name = null;
            float? simple = null;
            uint valueTag;
            while ((valueTag = value.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(valueTag))
                {
                    case 1: name = value.ReadString(); break;
                    case 2: simple = value.ReadFloat(); break;
                    default: value.SkipLastField(); break;
                }
            }

            scalars.Add(new Scalar(name ?? throw new InvalidDataException("a summary value without a tag"), simple ?? throw new InvalidDataException($"{name} has no simple_value")));
        }
    }
}
