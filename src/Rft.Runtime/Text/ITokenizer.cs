namespace Rft.Text;

/// <summary>
/// Turns text into token ids and back without allocating: callers pass the spans to fill.
/// Ids 0..<see cref="VocabSize"/>-1; the pad, begin and end ids are special tokens that
/// <see cref="Decode"/> leaves out.
/// </summary>
public interface ITokenizer
{
    int VocabSize { get; }

    /// <summary>Fills the unused positions of a batch; never a real token.</summary>
    int PadId { get; }

    /// <summary>Prepended to every prompt when <see cref="HasBosToken"/>.</summary>
    int BosId { get; }

    /// <summary>
    /// False for model families without a beginning-of-sequence token (Qwen: <c>bos_token: null</c>):
    /// prompts and demonstrations then start with their first text token.
    /// </summary>
    bool HasBosToken => true;

    /// <summary>The stop token: a completion ends when the policy emits it.</summary>
    int EosId { get; }

    /// <summary>The most characters one token decodes to; sizes decode buffers.</summary>
    int MaxCharsPerToken { get; }

    /// <summary>
    /// Encodes <paramref name="text"/> without adding begin or end tokens. Writes as many ids as fit in
    /// <paramref name="ids"/> and returns how many the whole text needs, so a caller can tell a text
    /// that did not fit (return value greater than <c>ids.Length</c>) and report its length.
    /// </summary>
    /// <exception cref="ArgumentException">A character the vocabulary cannot represent; the message names it and its index.</exception>
    int Encode(ReadOnlySpan<char> text, Span<int> ids);

    /// <summary>Decodes <paramref name="ids"/> into <paramref name="text"/>, skipping special tokens; returns the characters written.</summary>
    /// <exception cref="ArgumentException"><paramref name="text"/> is too short, or an id is outside the vocabulary.</exception>
    int Decode(ReadOnlySpan<int> ids, Span<char> text);
}
