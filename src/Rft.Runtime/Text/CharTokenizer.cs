namespace Rft.Text;

/// <summary>
/// One token per character: ids 0 <c>&lt;pad&gt;</c>, 1 <c>&lt;bos&gt;</c>, 2 <c>&lt;eos&gt;</c>, then the
/// alphabet's characters in ordinal order. Enough for synthetic tasks such as arithmetic, where a
/// vocabulary of a dozen or so symbols keeps a tiny policy fast.
/// </summary>
public sealed class CharTokenizer : ITokenizer
{
    private const int SpecialCount = 3;
    private const int Unknown = -1;

    private readonly char[] _chars;      // id - SpecialCount -> character
    private readonly int[] _ids;         // character -> id, Unknown when absent; sized to the largest character

    /// <param name="alphabet">The characters to represent; order and repeats do not matter.</param>
    public CharTokenizer(string alphabet)
    {
        ArgumentNullException.ThrowIfNull(alphabet);
        if (alphabet.Length == 0) throw new ArgumentException("The alphabet of a CharTokenizer must hold at least one character.", nameof(alphabet));

        _chars = alphabet.Distinct().Order().ToArray();
        _ids = new int[_chars[^1] + 1];
        Array.Fill(_ids, Unknown);
        for (int i = 0; i < _chars.Length; i++) _ids[_chars[i]] = SpecialCount + i;
        Alphabet = new string(_chars);
    }

    /// <summary>A tokenizer whose alphabet is every character that occurs in <paramref name="texts"/>.</summary>
    public static CharTokenizer FromCorpus(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var seen = new HashSet<char>();
        foreach (var text in texts) seen.UnionWith(text);
        if (seen.Count == 0) throw new ArgumentException("The corpus holds no characters to build a CharTokenizer from.", nameof(texts));
        return new CharTokenizer(new string(seen.ToArray()));
    }

    /// <summary>The represented characters in ordinal order, without repeats.</summary>
    public string Alphabet { get; }

    public int VocabSize => SpecialCount + _chars.Length;
    public int PadId => 0;
    public int BosId => 1;
    public int EosId => 2;
    public int MaxCharsPerToken => 1;

    public int Encode(ReadOnlySpan<char> text, Span<int> ids)
    {
        int written = Math.Min(text.Length, ids.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            int id = c < _ids.Length ? _ids[c] : Unknown;
            if (id == Unknown)
            {
                throw new ArgumentException(
                    $"Character '{c}' (U+{(int)c:X4}) at index {i} of \"{text}\" is not in the tokenizer's alphabet \"{Alphabet}\".",
                    nameof(text));
            }

            if (i < written) ids[i] = id;
        }

        return text.Length;
    }

    public int Decode(ReadOnlySpan<int> ids, Span<char> text)
    {
        int written = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            if ((uint)id >= (uint)VocabSize)
            {
                throw new ArgumentException($"Token id {id} at index {i} is outside the vocabulary [0, {VocabSize}).", nameof(ids));
            }

            if (id < SpecialCount) continue;
            if (written == text.Length)
            {
                throw new ArgumentException($"The text buffer of {text.Length} characters is too short for {ids.Length} tokens.", nameof(text));
            }

            text[written++] = _chars[id - SpecialCount];
        }

        return written;
    }
}
