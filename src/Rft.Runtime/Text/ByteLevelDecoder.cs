using System.Buffers;
using System.Text;

namespace Rft.Text;

/// <summary>
/// Hugging Face's <c>ByteLevel</c> decoder over a fixed vocabulary: each token stands for the bytes its characters map
/// to under GPT-2's byte-to-unicode table (a token with a character outside the table, such as a non-ASCII added token,
/// stands for its own UTF-8 bytes, as the Rust decoder does); a sequence decodes to its tokens' joined bytes read as
/// UTF-8 with replacement (U+FFFD for each maximal invalid subsequence, as <c>String::from_utf8_lossy</c> and the
/// WHATWG decoder of transformers.js). The bytes of every id are laid out once in one array.
/// </summary>
internal sealed class ByteLevelDecoder
{
    // UTF-8 with replacement: never throws on invalid input.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly byte[] _bytes;
    private readonly int[] _offsets;     // id i's bytes are _bytes[_offsets[i].._offsets[i + 1]]

    private ByteLevelDecoder(byte[] bytes, int[] offsets)
    {
        _bytes = bytes;
        _offsets = offsets;
    }

    /// <summary>A decoder for ids [0, <paramref name="vocabSize"/>); ids without a token decode to nothing.</summary>
    public static ByteLevelDecoder Create(int vocabSize, IEnumerable<KeyValuePair<string, int>> tokens)
    {
        var unicodeToByte = UnicodeToByte();
        var perId = new byte[vocabSize][];
        foreach (var (token, id) in tokens)
        {
            if ((uint)id >= (uint)vocabSize) continue;
            var mapped = new byte[token.Length];
            bool inTable = true;
            for (int i = 0; i < token.Length && inTable; i++)
            {
                if (unicodeToByte.TryGetValue(token[i], out byte b)) mapped[i] = b;
                else inTable = false;
            }

            perId[id] = inTable ? mapped : Encoding.UTF8.GetBytes(token);
        }

        var offsets = new int[vocabSize + 1];
        for (int i = 0; i < vocabSize; i++) offsets[i + 1] = offsets[i] + (perId[i]?.Length ?? 0);
        var bytes = new byte[offsets[vocabSize]];
        for (int i = 0; i < vocabSize; i++) perId[i]?.CopyTo(bytes, offsets[i]);
        return new ByteLevelDecoder(bytes, offsets);
    }

    /// <summary>Decodes <paramref name="ids"/> (already range-checked) into <paramref name="text"/>, leaving out ids flagged in <paramref name="skip"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="text"/> is too short.</exception>
    public int Decode(ReadOnlySpan<int> ids, Span<char> text, bool[]? skip)
    {
        int count = 0;
        foreach (int id in ids)
        {
            if (skip is null || !skip[id]) count += _offsets[id + 1] - _offsets[id];
        }

        byte[]? rented = null;
        Span<byte> joined = count <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(count));
        try
        {
            int at = 0;
            foreach (int id in ids)
            {
                if (skip is not null && skip[id]) continue;
                var token = _bytes.AsSpan(_offsets[id], _offsets[id + 1] - _offsets[id]);
                token.CopyTo(joined[at..]);
                at += token.Length;
            }

            var utf8 = joined[..count];
            int chars = Utf8.GetCharCount(utf8);
            if (chars > text.Length)
                throw new ArgumentException($"The text buffer of {text.Length} characters is too short for {ids.Length} tokens ({chars} characters).", nameof(text));
            return Utf8.GetChars(utf8, text);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The inverse of GPT-2's <c>bytes_to_unicode</c>: printable Latin-1 bytes map to themselves, the other 68 to U+0100 onwards.</summary>
    private static Dictionary<char, byte> UnicodeToByte()
    {
        var map = new Dictionary<char, byte>(256);
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[printable ? (char)b : (char)(256 + next++)] = (byte)b;
        }

        return map;
    }
}
