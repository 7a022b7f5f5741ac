namespace Rft.Rewards;

/// <summary>
/// Checks that a completion follows a tag layout such as <c>&lt;think&gt;...&lt;/think&gt;&lt;answer&gt;...&lt;/answer&gt;</c>.
/// Tags are given by name (<c>"think"</c>, <c>"answer"</c>) and matched ordinally; nothing allocates.
/// </summary>
public static class FormatCheck
{
    /// <summary>
    /// True when each tag's block <c>&lt;name&gt;...&lt;/name&gt;</c> appears, in the given order, each
    /// block starting after the previous one closed. Text around and between the blocks is allowed.
    /// </summary>
    public static bool HasTagsInOrder(ReadOnlySpan<char> text, params ReadOnlySpan<string> tags)
    {
        int position = 0;
        foreach (var tag in tags)
        {
            if (!TryFindBlock(text, position, tag, out _, out int after)) return false;
            position = after;
        }

        return true;
    }

    /// <summary>
    /// True when the text is exactly the tags' blocks in the given order, each once, with only white
    /// space outside them, and no block holds another opening of its own tag; the layout DeepSeek-R1's
    /// format reward checks (<c>^&lt;think&gt;.*?&lt;/think&gt;\s*&lt;answer&gt;.*?&lt;/answer&gt;$</c>).
    /// </summary>
    public static bool MatchesLayout(ReadOnlySpan<char> text, params ReadOnlySpan<string> tags)
    {
        int position = 0;
        foreach (var tag in tags)
        {
            if (!TryFindBlock(text, position, tag, out int open, out int after)) return false;
            if (!text[position..open].IsWhiteSpace()) return false;
            int contentStart = open + tag.Length + 2;
            int contentEnd = after - tag.Length - 3;
            if (IndexOfTag(text[contentStart..contentEnd], tag, closing: false) >= 0) return false;
            position = after;
        }

        return text[position..].IsWhiteSpace();
    }

    /// <summary>How many times <c>&lt;name&gt;</c> opens in the text (to reward exactly one answer block).</summary>
    public static int CountOpenings(ReadOnlySpan<char> text, string tag)
    {
        int count = 0;
        for (int at = IndexOfTag(text, tag, closing: false); at >= 0; at = NextTag(text, at, tag))
            count++;
        return count;
    }

    private static int NextTag(ReadOnlySpan<char> text, int at, string tag)
    {
        int from = at + tag.Length + 2;
        int next = IndexOfTag(text[from..], tag, closing: false);
        return next < 0 ? -1 : from + next;
    }

    private static bool TryFindBlock(ReadOnlySpan<char> text, int from, string tag, out int open, out int after)
    {
        open = after = -1;
        int relative = IndexOfTag(text[from..], tag, closing: false);
        if (relative < 0) return false;
        open = from + relative;
        int contentStart = open + tag.Length + 2;
        int close = IndexOfTag(text[contentStart..], tag, closing: true);
        if (close < 0) return false;
        after = contentStart + close + tag.Length + 3;
        return true;
    }

    // The index of "<tag>" or "</tag>" in text, or -1.
    private static int IndexOfTag(ReadOnlySpan<char> text, string tag, bool closing)
    {
        int prefix = closing ? 2 : 1;
        int length = prefix + tag.Length + 1;
        for (int i = text.IndexOf('<'); i >= 0 && i + length <= text.Length;)
        {
            var candidate = text.Slice(i, length);
            if ((!closing || candidate[1] == '/')
                && candidate.Slice(prefix, tag.Length).SequenceEqual(tag)
                && candidate[^1] == '>')
                return i;
            int next = text[(i + 1)..].IndexOf('<');
            i = next < 0 ? -1 : i + 1 + next;
        }

        return -1;
    }
}
