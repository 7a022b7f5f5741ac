using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Rft.Text;

/// <summary>
/// The tokenizer of Karpathy's llama2.c (<c>tokenizer.bin</c>: int32 max_token_length, then per token
/// a float32 merge score, an int32 byte length and the bytes), a SentencePiece BPE vocabulary with
/// byte fallback. Encoding and decoding follow <c>run.c</c> exactly so ids match its reference runs:
/// ids 0, 1, 2 are &lt;unk&gt;, BOS and EOS; ids 3..258 are the bytes &lt;0x00&gt;..&lt;0xFF&gt;.
/// </summary>
public sealed class Llama2cTokenizer : ITokenizer
{
    private const int ByteOffset = 3;
    private const int NotFound = -1;

    private readonly byte[][] _pieces;
    private readonly float[] _scores;
    private readonly Dictionary<string, int> _ids;        // piece bytes as Latin-1 (one char per byte) -> id
    private readonly string[] _keys;                      // id -> the same Latin-1 key
    private readonly int _space;                          // id of " ", the dummy prefix

    private Llama2cTokenizer(byte[][] pieces, float[] scores)
    {
        _pieces = pieces;
        _scores = scores;
        _keys = pieces.Select(p => Encoding.Latin1.GetString(p)).ToArray();
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < _keys.Length; id++) _ids.TryAdd(_keys[id], id);
        _space = Lookup(" ");
        MaxCharsPerToken = Math.Max(1, pieces.Max(p => p.Length));    // a byte decodes to at most one char
    }

    /// <summary>Reads a llama2.c <c>tokenizer.bin</c>; the vocabulary is every token up to the end of the file.</summary>
    /// <param name="vocabSize">When given, the file must hold exactly this many tokens (the model's vocab_size).</param>
    /// <exception cref="FormatException">The file is truncated or malformed.</exception>
    public static Llama2cTokenizer Load(string path, int? vocabSize = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 4) throw new FormatException($"{path}: {bytes.Length} bytes, too short for the max_token_length field.");
        int maxLength = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (maxLength < 1) throw new FormatException($"{path}: max_token_length = {maxLength} must be positive.");

        var pieces = new List<byte[]>();
        var scores = new List<float>();
        for (int at = 4; at < bytes.Length;)
        {
            int id = pieces.Count;
            if (bytes.Length - at < 8) throw new FormatException($"{path}: token {id} at byte {at} is truncated (needs a score and a length).");
            float score = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at));
            int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 4));
            at += 8;
            if (length < 0 || length > maxLength || length > bytes.Length - at)
                throw new FormatException($"{path}: token {id} at byte {at - 8} claims {length} bytes (max_token_length {maxLength}, {bytes.Length - at} left in the file).");
            pieces.Add(bytes.AsSpan(at, length).ToArray());
            scores.Add(score);
            at += length;
        }

        if (pieces.Count < ByteOffset + 256)
            throw new FormatException($"{path}: {pieces.Count} tokens, fewer than the 3 special and 256 byte tokens of a llama2.c vocabulary.");
        if (vocabSize is not null && pieces.Count != vocabSize)
            throw new FormatException($"{path}: {pieces.Count} tokens but the model's vocab_size is {vocabSize}.");
        return new Llama2cTokenizer(pieces.ToArray(), scores.ToArray());
    }

    public int VocabSize => _pieces.Length;

    /// <summary>llama2.c has no padding token; &lt;unk&gt; (0) fills unused positions and is never sampled in practice.</summary>
    public int PadId => 0;
    public int BosId => 1;
    public int EosId => 2;
    public int MaxCharsPerToken { get; }

    /// <summary>The bytes of token <paramref name="id"/> as stored (byte tokens read <c>&lt;0xHH&gt;</c>).</summary>
    public ReadOnlySpan<byte> Piece(int id) => _pieces[id];

    /// <summary>
    /// run.c's <c>encode</c> without BOS/EOS: the dummy-prefix space token when the text is not empty, one
    /// token per UTF-8 code point (its bytes as byte tokens when the code point is not in the vocabulary),
    /// then repeatedly the adjacent pair whose concatenation is the best-scoring token is merged (leftmost
    /// on ties) until no pair is a token.
    /// </summary>
    public int Encode(ReadOnlySpan<char> text, Span<int> ids)
    {
        var utf8 = Encoding.UTF8.GetBytes(text.ToArray());
        var tokens = new List<int>(utf8.Length + 1);
        if (utf8.Length > 0 && _space != NotFound) tokens.Add(_space);

        // Code points, as run.c splits them: a run of at most four bytes, a lead byte and its continuations.
        Span<byte> codePoint = stackalloc byte[4];
        int length = 0;
        for (int i = 0; i < utf8.Length; i++)
        {
            byte c = utf8[i];
            if ((c & 0xC0) != 0x80) length = 0;
            codePoint[length++] = c;
            byte next = i + 1 < utf8.Length ? utf8[i + 1] : (byte)0;
            if ((next & 0xC0) == 0x80 && length < 4) continue;

            int id = Lookup(Encoding.Latin1.GetString(codePoint[..length]));
            if (id != NotFound) tokens.Add(id);
            else
            {
                foreach (byte b in codePoint[..length]) tokens.Add(b + ByteOffset);
            }

            length = 0;
        }

        while (true)
        {
            float bestScore = -1e10f;
            int bestId = NotFound, bestIndex = NotFound;
            for (int i = 0; i < tokens.Count - 1; i++)
            {
                int id = Lookup(string.Concat(_keys[tokens[i]], _keys[tokens[i + 1]]));
                if (id != NotFound && _scores[id] > bestScore)
                {
                    (bestScore, bestId, bestIndex) = (_scores[id], id, i);
                }
            }

            if (bestIndex == NotFound) break;
            tokens[bestIndex] = bestId;
            tokens.RemoveAt(bestIndex + 1);
        }

        int written = Math.Min(tokens.Count, ids.Length);
        for (int i = 0; i < written; i++) ids[i] = tokens[i];
        return tokens.Count;
    }

    /// <summary>
    /// run.c's <c>decode</c> over a sequence: byte tokens become their byte, a piece right after BOS loses
    /// its leading space (SentencePiece's dummy prefix), and the bytes are read as UTF-8. &lt;unk&gt;, BOS
    /// and EOS are left out.
    /// </summary>
    public int Decode(ReadOnlySpan<int> ids, Span<char> text)
    {
        int capacity = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            if ((uint)id >= (uint)VocabSize)
                throw new ArgumentException($"Token id {id} at index {i} is outside the vocabulary [0, {VocabSize}).", nameof(ids));
            capacity += _pieces[id].Length;
        }

        var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(1, capacity));
        try
        {
            int count = 0, previous = NotFound;
            foreach (int id in ids)
            {
                if (id > EosId)
                {
                    var piece = _pieces[id].AsSpan();
                    if (previous == BosId && piece.Length > 0 && piece[0] == (byte)' ') piece = piece[1..];
                    if (IsByteToken(id, piece, out byte value)) bytes[count++] = value;
                    else
                    {
                        piece.CopyTo(bytes.AsSpan(count));
                        count += piece.Length;
                    }
                }

                previous = id;
            }

            var utf8 = bytes.AsSpan(0, count);
            int chars = Encoding.UTF8.GetCharCount(utf8);
            if (chars > text.Length)
                throw new ArgumentException($"The text buffer of {text.Length} characters is too short for the {chars} that {ids.Length} tokens decode to.", nameof(text));
            return Encoding.UTF8.GetChars(utf8, text);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    // run.c: sscanf(piece, "<0x%02hhX>", ...) on the vocabulary's byte tokens.
    private static bool IsByteToken(int id, ReadOnlySpan<byte> piece, out byte value)
    {
        value = 0;
        if (id < ByteOffset || id >= ByteOffset + 256 || piece.Length != 6 || !piece.StartsWith("<0x"u8) || piece[5] != (byte)'>') return false;
        return byte.TryParse(Encoding.ASCII.GetString(piece[3..5]), System.Globalization.NumberStyles.HexNumber, null, out value);
    }

    private int Lookup(string key) => _ids.TryGetValue(key, out int id) ? id : NotFound;
}
