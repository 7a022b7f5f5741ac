using System.Buffers;
using Microsoft.ML.Tokenizers;

namespace Rft.Text;

/// <summary>
/// A Hugging Face <c>tokenizer.json</c> for byte-level BPE (GPT-2 style, as in the Qwen2/Qwen2.5/Qwen3
/// family), encoded and decoded by Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>. This class reads
/// the file (vocabulary, merges, added tokens, the pre-tokenizer's split regex, the NFC normalizer)
/// and the special-token choices of <c>tokenizer_config.json</c> and <c>generation_config.json</c>
/// beside it. Added tokens such as <c>&lt;|im_start|&gt;</c> are recognised in text and map to their ids.
/// </summary>
public sealed class HuggingFaceTokenizer : ITokenizer
{
    private readonly BpeTokenizer _bpe;
    private readonly bool[] _isSpecial;                  // id -> added token flagged "special": Decode skips it
    private readonly ByteLevelDecoder _decoder;
    private Lazy<ChatTemplate?> _chatTemplate = new((ChatTemplate?)null);

    private HuggingFaceTokenizer(BpeTokenizer bpe, int vocabSize, IReadOnlyDictionary<string, int> addedTokens,
        bool[] isSpecial, int maxCharsPerToken, SpecialIds ids, ByteLevelDecoder decoder)
    {
        _bpe = bpe;
        _decoder = decoder;
        VocabSize = vocabSize;
        AddedTokens = addedTokens;
        _isSpecial = isSpecial;
        MaxCharsPerToken = maxCharsPerToken;
        EosId = ids.Eos;
        PadId = ids.Pad;
        BosId = ids.Bos ?? ids.Pad;
        HasBosToken = ids.Bos is not null;
        StopIds = ids.Stop;
    }

    /// <summary>
    /// Loads <c>tokenizer.json</c> from <paramref name="path"/> (the file, or the folder holding it), with
    /// <c>tokenizer_config.json</c> and <c>generation_config.json</c> from the same folder when present.
    /// </summary>
    /// <exception cref="FileNotFoundException">No tokenizer.json at <paramref name="path"/>.</exception>
    /// <exception cref="FormatException">A file is malformed or not byte-level BPE; the message names the file and the field.</exception>
    public static HuggingFaceTokenizer Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string file = Directory.Exists(path) ? Path.Combine(path, "tokenizer.json") : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no tokenizer.json there.", file);
        string folder = Path.GetDirectoryName(Path.GetFullPath(file))!;

        var spec = TokenizerJson.Read(file);
        var addedTokens = spec.AddedTokens.ToDictionary(t => t.Content, t => t.Id, StringComparer.Ordinal);
        int vocabSize = 1 + Math.Max(spec.Vocabulary.Values.Max(), spec.AddedTokens.Count == 0 ? -1 : spec.AddedTokens.Max(t => t.Id));

        var options = new BpeOptions(spec.Vocabulary)
        {
            Merges = spec.Merges,
            SpecialTokens = addedTokens,
            PreTokenizer = new CodePointRegexPreTokenizer(spec.SplitPattern, addedTokens.Keys),
            Normalizer = spec.Nfc ? NfcNormalizer.Instance : null,
            ByteLevel = true,
        };
        BpeTokenizer bpe;
        try
        {
            bpe = BpeTokenizer.Create(options);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"{file}: Microsoft.ML.Tokenizers rejected the model: {e.Message}", e);
        }

        var isSpecial = new bool[vocabSize];
        foreach (var token in spec.AddedTokens) isSpecial[token.Id] = token.Special;

        // Byte-level: a token decodes to at most one UTF-16 char per UTF-8 byte it stands for.
        int maxChars = Math.Max(
            spec.Vocabulary.Keys.Max(k => k.Length),
            spec.AddedTokens.Count == 0 ? 1 : spec.AddedTokens.Max(t => t.Content.Length));

        var ids = SpecialTokenConfig.Read(folder, addedTokens, spec.Vocabulary);
        var decoder = ByteLevelDecoder.Create(vocabSize, spec.Vocabulary.Concat(spec.AddedTokens.Select(t => KeyValuePair.Create(t.Content, t.Id))));
        return new HuggingFaceTokenizer(bpe, vocabSize, addedTokens, isSpecial, maxChars, ids, decoder)
        {
            _chatTemplate = new(() => ChatTemplate.FromTokenizerFolder(folder)),
        };
    }

    public int VocabSize { get; }
    public int PadId { get; }

    /// <summary>
    /// The configured begin token; families without one (Qwen: <c>bos_token: null</c>) fall back to the
    /// pad id, because <see cref="ITokenizer"/> asks for one. <see cref="HasBosToken"/> tells the two apart.
    /// </summary>
    public int BosId { get; }

    public int EosId { get; }
    public int MaxCharsPerToken { get; }

    /// <summary>Whether the configuration names a begin token (<c>bos_token</c> or <c>bos_token_id</c>); prompts get none otherwise.</summary>
    public bool HasBosToken { get; }

    /// <summary>Every id that ends a completion: <see cref="EosId"/> and generation_config.json's other <c>eos_token_id</c>s.</summary>
    public IReadOnlyList<int> StopIds { get; }

    /// <summary>
    /// The folder's chat template (tokenizer_config.json's <c>chat_template</c>, else <c>chat_template.jinja</c>), or null
    /// when it has none. Read on first use, so a template this renderer cannot parse fails only where it is used.
    /// </summary>
    /// <exception cref="Jinja.JinjaException">The template does not parse; the message names the file, line and column.</exception>
    public ChatTemplate? ChatTemplate => _chatTemplate.Value;

    /// <summary>The added tokens (special or not) by content, e.g. <c>&lt;|im_start|&gt;</c> -> 151644.</summary>
    public IReadOnlyDictionary<string, int> AddedTokens { get; }

    /// <summary>The id of a vocabulary or added token written in its stored form, or null.</summary>
    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (AddedTokens.TryGetValue(token, out int added)) return added;
        return _bpe.Vocabulary.TryGetValue(token, out int id) ? id : null;
    }

    /// <summary>Whether <paramref name="id"/> is an added token flagged special (skipped by <see cref="Decode(ReadOnlySpan{int}, Span{char})"/>).</summary>
    public bool IsSpecial(int id) => (uint)id < (uint)_isSpecial.Length && _isSpecial[id];

    public int Encode(ReadOnlySpan<char> text, Span<int> ids)
    {
        ThrowOnLoneSurrogate(text);
        var encoded = _bpe.EncodeToIds(text, considerPreTokenization: true, considerNormalization: true);
        int written = Math.Min(encoded.Count, ids.Length);
        for (int i = 0; i < written; i++) ids[i] = encoded[i];
        return encoded.Count;
    }

    /// <summary>The ids of <paramref name="text"/>, without begin or end tokens.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ThrowOnLoneSurrogate(text);
        return _bpe.EncodeToIds(text, considerPreTokenization: true, considerNormalization: true).ToArray();
    }

    public int Decode(ReadOnlySpan<int> ids, Span<char> text) => Decode(ids, text, skipSpecialTokens: true);

    /// <summary>
    /// Decodes <paramref name="ids"/> as Hugging Face's byte-level decoder does: the tokens' bytes are joined and read as
    /// UTF-8, each invalid or cut sequence becoming U+FFFD, so any id sequence decodes (a completion cut by the token limit
    /// in the middle of a character included). With <paramref name="skipSpecialTokens"/> false, special tokens appear as
    /// their text. Allocates nothing for up to 1 KiB of token bytes.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="text"/> is too short, or an id is outside the vocabulary.</exception>
    public int Decode(ReadOnlySpan<int> ids, Span<char> text, bool skipSpecialTokens)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)VocabSize)
                throw new ArgumentException($"Token id {ids[i]} at index {i} is outside the vocabulary [0, {VocabSize}).", nameof(ids));
        }

        return _decoder.Decode(ids, text, skipSpecialTokens ? _isSpecial : null);
    }

    /// <summary>The text of <paramref name="ids"/> (see <see cref="Decode(ReadOnlySpan{int}, Span{char}, bool)"/>).</summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = true)
    {
        var text = new char[Math.Max(1, ids.Length * MaxCharsPerToken)];
        int written = Decode(ids, text, skipSpecialTokens);
        return new string(text, 0, written);
    }

    // UTF-8, and so byte-level BPE, has no encoding for half of a surrogate pair.
    private static void ThrowOnLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            throw new ArgumentException($"Character U+{(int)text[i]:X4} at index {i} is a lone surrogate, which has no UTF-8 encoding; byte-level BPE cannot represent it.", nameof(text));
        }
    }
}
