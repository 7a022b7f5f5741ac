using System.Buffers;
using MessagePack;

namespace Rft.Data.Curricula;

/// <summary>
/// Saves and loads checkpoint state as MessagePack through the library's low-level writer and reader
/// (no serializer, no reflection). A curriculum's state is one array, [kind, version, fields...], so
/// that loading it into another kind of curriculum, or from another version, fails saying which.
/// </summary>
internal static class CheckpointState
{
    public delegate void WriteFields(ref MessagePackWriter writer);

    public delegate void ReadFields(ref MessagePackReader reader);

    /// <summary>The MessagePack that <paramref name="write"/> writes.</summary>
    public static byte[] Save(WriteFields write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>An array of kind, version and the <paramref name="fields"/> items that <paramref name="write"/> writes.</summary>
    public static byte[] Save(string kind, int version, int fields, WriteFields write) => Save((ref writer) =>
    {
        writer.WriteArrayHeader(fields + 2);
        writer.Write(kind);
        writer.Write(version);
        write(ref writer);
    });

    /// <summary>
    /// Reads the whole of <paramref name="state"/> with <paramref name="read"/>. Bytes that are not what it
    /// reads (truncated, another type, left over) throw <see cref="FormatException"/> naming <paramref name="what"/>.
    /// </summary>
    public static void Load(ReadOnlySpan<byte> state, string what, ReadFields read)
    {
        // The reader reads memory, not spans; a state is small, so it is copied.
        var reader = new MessagePackReader(state.ToArray());
        try
        {
            read(ref reader);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            throw new FormatException($"Malformed {what} state near byte {reader.Consumed} of {state.Length}: {e.Message}", e);
        }

        if (!reader.End) throw new FormatException($"The {what} state has {state.Length - reader.Consumed} bytes after its end.");
    }

    /// <summary>Reads a state written by <see cref="Save(string, int, int, WriteFields)"/>, checking its kind, version and field count first.</summary>
    public static void Load(ReadOnlySpan<byte> state, string kind, int version, int fields, ReadFields read) => Load(state, kind, (ref reader) =>
    {
        int count = reader.ReadArrayHeader();
        string? found = reader.ReadString();
        if (found != kind) throw new FormatException($"The state was saved by a {found ?? "nil"}, not a {kind}; load it into the same kind of curriculum.");
        int foundVersion = reader.ReadInt32();
        if (foundVersion != version) throw new FormatException($"{kind} state version {foundVersion} is not supported (expected {version}).");
        if (count != fields + 2) throw new FormatException($"{kind} state has {count - 2} fields; expected {fields}.");
        read(ref reader);
    });
}
