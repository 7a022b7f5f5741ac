using System.Globalization;

namespace Rft;

/// <summary>
/// One sampled completion as a reward sees it: its decoded text (a slice of a pooled buffer, valid
/// until the next step), whether the policy ended it with its stop token, and its length in tokens.
/// </summary>
public readonly struct Completion
{
    private readonly ReadOnlyMemory<char> _text;

    public Completion(ReadOnlyMemory<char> text, bool finished, int tokenCount)
    {
        _text = text;
        Finished = finished;
        TokenCount = tokenCount;
    }

    /// <summary>The decoded text, without the stop token.</summary>
    public ReadOnlySpan<char> Text => _text.Span;

    /// <summary>The decoded text as memory, for rewards that must keep it across an await.</summary>
    public ReadOnlyMemory<char> Memory => _text;

    /// <summary>True when the policy emitted its stop token; false when cut at the token limit.</summary>
    public bool Finished { get; }

    /// <summary>Generated tokens, the stop token included.</summary>
    public int TokenCount { get; }

    /// <summary>The text as an integer (invariant culture, optional sign), or null when it is not one.</summary>
    public int? ParseInt() => TryParseInt(out var value) ? value : null;

    /// <summary>Parses the whole trimmed text as an integer without allocating.</summary>
    public bool TryParseInt(out int value) =>
        int.TryParse(Text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    /// <summary>Allocates a string copy of the text.</summary>
    public override string ToString() => _text.ToString();
}
