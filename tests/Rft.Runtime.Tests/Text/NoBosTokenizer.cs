using Rft.Text;

namespace Rft.Runtime.Tests.Text;

/// <summary>A character tokenizer of a model family without a BOS token (as Qwen's), for the tests of BOS handling.</summary>
internal sealed class NoBosTokenizer(CharTokenizer inner) : ITokenizer
{
    public int VocabSize => inner.VocabSize;
    public int PadId => inner.PadId;
    public int BosId => inner.PadId;
    public int EosId => inner.EosId;
    public int MaxCharsPerToken => inner.MaxCharsPerToken;
    public bool HasBosToken => false;
    public int Encode(ReadOnlySpan<char> text, Span<int> ids) => inner.Encode(text, ids);
    public int Decode(ReadOnlySpan<int> ids, Span<char> text) => inner.Decode(ids, text);
}
