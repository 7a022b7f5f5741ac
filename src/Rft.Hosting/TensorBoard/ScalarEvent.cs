using System.Buffers.Binary;
using System.Text;

namespace Rft.Hosting.TensorBoard;

/// <summary>
/// Encodes TensorBoard <c>Event</c> protocol buffers (tensorflow/core/util/event.proto) holding scalar summaries,
/// into buffers that are reused: an event is built with <see cref="Begin"/>, <see cref="Add"/> per scalar, then
/// <see cref="WriteTo"/>. Only the fields used are encoded: <c>Event.wall_time</c> (1, double), <c>Event.step</c>
/// (2, int64), <c>Event.file_version</c> (3, string), <c>Event.summary</c> (5); <c>Summary.value</c> (1, repeated);
/// <c>Summary.Value.tag</c> (1, string) and <c>Summary.Value.simple_value</c> (2, float), which TensorBoard's scalar
/// dashboard reads.
/// </summary>
internal sealed class ScalarEvent
{
    // Field keys: (field number << 3) | wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).
    private const byte WallTimeKey = (1 << 3) | 1;
    private const byte StepKey = (2 << 3) | 0;
    private const byte FileVersionKey = (3 << 3) | 2;
    private const byte SummaryKey = (5 << 3) | 2;
    private const byte SummaryValueKey = (1 << 3) | 2;
    private const byte TagKey = (1 << 3) | 2;
    private const byte SimpleValueKey = (2 << 3) | 5;

    private byte[] _summary = new byte[4096];
    private int _summaryLength;
    private byte[] _event = new byte[4096 + 32];
    private readonly byte[] _header = new byte[12];
    private double _wallTime;
    private long _step;

    /// <summary>Scalars added since <see cref="Begin"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Starts an event at <paramref name="wallTime"/> (seconds since the Unix epoch) for <paramref name="step"/>.</summary>
    public void Begin(double wallTime, long step)
    {
        _wallTime = wallTime;
        _step = step;
        _summaryLength = 0;
        Count = 0;
    }

    /// <summary>Adds one scalar; <paramref name="tag"/> is the UTF-8 tag.</summary>
    public void Add(ReadOnlySpan<byte> tag, float value)
    {
        int valueLength = 1 + VarintSize((ulong)tag.Length) + tag.Length + 1 + 4;
        Ensure(ref _summary, _summaryLength + 1 + VarintSize((ulong)valueLength) + valueLength);
        var span = _summary.AsSpan(_summaryLength);
        int at = 0;
        span[at++] = SummaryValueKey;
        at += WriteVarint(span[at..], (ulong)valueLength);
        span[at++] = TagKey;
        at += WriteVarint(span[at..], (ulong)tag.Length);
        tag.CopyTo(span[at..]);
        at += tag.Length;
        span[at++] = SimpleValueKey;
        BinaryPrimitives.WriteSingleLittleEndian(span[at..], value);
        at += 4;
        _summaryLength += at;
        Count++;
    }

    /// <summary>Writes the event built since <see cref="Begin"/> as one TFRecord.</summary>
    public void WriteTo(Stream stream)
    {
        Ensure(ref _event, 32 + _summaryLength);
        var span = _event.AsSpan();
        int at = WriteHead(span);
        span[at++] = SummaryKey;
        at += WriteVarint(span[at..], (ulong)_summaryLength);
        _summary.AsSpan(0, _summaryLength).CopyTo(span[at..]);
        at += _summaryLength;
        TfRecord.Write(stream, span[..at], _header);
    }

    /// <summary>Writes the event every event file starts with: <c>file_version = "brain.Event:2"</c>.</summary>
    public void WriteFileVersion(Stream stream, double wallTime)
    {
        ReadOnlySpan<byte> version = "brain.Event:2"u8;
        _wallTime = wallTime;
        _step = 0;
        var span = _event.AsSpan();
        int at = WriteHead(span);
        span[at++] = FileVersionKey;
        at += WriteVarint(span[at..], (ulong)version.Length);
        version.CopyTo(span[at..]);
        at += version.Length;
        TfRecord.Write(stream, span[..at], _header);
    }

    /// <summary>The UTF-8 bytes of a tag, encoded once by the caller.</summary>
    public static byte[] Tag(string tag) => Encoding.UTF8.GetBytes(tag);

    // wall_time and step (proto3 leaves a zero step out).
    private int WriteHead(Span<byte> span)
    {
        int at = 0;
        span[at++] = WallTimeKey;
        BinaryPrimitives.WriteDoubleLittleEndian(span[at..], _wallTime);
        at += 8;
        if (_step != 0)
        {
            span[at++] = StepKey;
            at += WriteVarint(span[at..], (ulong)_step);
        }

        return at;
    }

    private static int WriteVarint(Span<byte> span, ulong value)
    {
        int at = 0;
        while (value >= 0x80)
        {
            span[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[at++] = (byte)value;
        return at;
    }

    private static int VarintSize(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    private static void Ensure(ref byte[] buffer, int length)
    {
        if (buffer.Length < length) Array.Resize(ref buffer, Math.Max(length, buffer.Length * 2));
    }
}
