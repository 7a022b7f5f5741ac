using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Rft.Text;

/// <summary>
/// Splits text with a tokenizer.json <c>Split</c> regex the way Hugging Face's Rust tokenizers do: added
/// tokens first become pre-tokens of their own, then the regex runs over the rest by code point.
/// </summary>
/// <remarks>
/// Written here instead of using <see cref="RegexPreTokenizer"/> because .NET's <see cref="Regex"/> matches
/// UTF-16 chars: a character outside the BMP (𝟏, 𝐀, 𠀀) is two surrogates of category Cs, so
/// <c>\p{N}</c> and <c>\p{L}</c> miss it and " 𝟏" splits differently from the reference. Each such
/// character is replaced by a BMP stand-in of the same Unicode category before matching, and the
/// match offsets are mapped back to the original text.
/// </remarks>
internal sealed class CodePointRegexPreTokenizer : PreTokenizer
{
    private readonly Regex _split;
    private readonly Regex? _addedTokens;
    private readonly char[] _standIns;                 // UnicodeCategory -> a BMP char of that category, '\0' if none

    public CodePointRegexPreTokenizer(string pattern, IEnumerable<string> addedTokens)
    {
        _split = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
        var tokens = addedTokens.OrderByDescending(t => t.Length).ThenBy(t => t, StringComparer.Ordinal).Select(Regex.Escape).ToList();
        _addedTokens = tokens.Count == 0 ? null : new Regex(string.Join("|", tokens), RegexOptions.Compiled | RegexOptions.CultureInvariant);
        _standIns = StandIns(pattern);
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) => Split(text ?? string.Empty);

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => Split(text.ToString());

    private List<(int Offset, int Length)> Split(string text)
    {
        var pieces = new List<(int, int)>();
        int at = 0;
        if (_addedTokens is not null)
        {
            for (var match = _addedTokens.Match(text); match.Success; match = match.NextMatch())
            {
                SplitWords(text, at, match.Index, pieces);
                pieces.Add((match.Index, match.Length));
                at = match.Index + match.Length;
            }
        }

        SplitWords(text, at, text.Length, pieces);
        return pieces;
    }

    private void SplitWords(string text, int start, int end, List<(int, int)> pieces)
    {
        if (start >= end) return;
        string segment = text[start..end];
        if (!segment.Any(char.IsSurrogate))
        {
            for (var match = _split.Match(segment); match.Success; match = match.NextMatch())
                if (match.Length > 0) pieces.Add((start + match.Index, match.Length));
            return;
        }

        // One char per code point, and where each came from in the original text.
        var mapped = new char[segment.Length];
        var origin = new int[segment.Length + 1];
        int length = 0;
        for (int i = 0; i < segment.Length; i++)
        {
            origin[length] = i;
            if (char.IsHighSurrogate(segment[i]) && i + 1 < segment.Length && char.IsLowSurrogate(segment[i + 1]))
            {
                char standIn = _standIns[(int)CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(segment[i], segment[i + 1]))];
                if (standIn != '\0')
                {
                    mapped[length++] = standIn;
                    i++;
                    continue;
                }

                mapped[length++] = segment[i];  // no stand-in: leave the pair as it is
                origin[length] = i + 1;
                mapped[length++] = segment[i + 1];
                i++;
                continue;
            }

            mapped[length++] = segment[i];
        }

        origin[length] = segment.Length;
        for (var match = _split.Match(new string(mapped, 0, length)); match.Success; match = match.NextMatch())
        {
            if (match.Length == 0) continue;
            int from = origin[match.Index], to = origin[match.Index + match.Length];
            pieces.Add((start + from, to - from));
        }
    }

    // The first BMP char of each category above Latin-1 that the pattern does not name literally.
    private static char[] StandIns(string pattern)
    {
        var standIns = new char[32];
        for (int c = 0x100; c < 0xFFFE; c++)
        {
            if (char.IsSurrogate((char)c) || pattern.Contains((char)c)) continue;
            int category = (int)char.GetUnicodeCategory((char)c);
            if (standIns[category] == '\0') standIns[category] = (char)c;
        }

        return standIns;
    }
}
