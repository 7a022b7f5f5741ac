namespace Rft.Rewards;

/// <summary>
/// Finds the final answer in a completion. Every method returns a slice of the input (trimmed of white
/// space) and allocates nothing; pass the slice to <see cref="NumericAnswer"/> to compare it.
/// </summary>
public static class FinalAnswer
{
    /// <summary>
    /// The GSM8K answer: the rest of the line after the last <c>####</c> (as in <c>#### 1,234</c>).
    /// </summary>
    /// <returns>False when there is no <c>####</c> or nothing follows it on its line.</returns>
    public static bool TryExtractGsm8k(ReadOnlySpan<char> text, out ReadOnlySpan<char> answer)
    {
        answer = default;
        int marker = text.LastIndexOf("####");
        if (marker < 0) return false;
        var rest = text[(marker + 4)..];
        int end = rest.IndexOfAny('\r', '\n');
        answer = (end < 0 ? rest : rest[..end]).Trim();
        return !answer.IsEmpty;
    }

    /// <summary>
    /// The content of the last <c>\boxed{...}</c> (or <c>\fbox{...}</c>), braces inside it balanced, as
    /// in <c>\boxed{\frac{1}{2}}</c>. In nested boxes (<c>\boxed{\boxed{5}}</c>) the innermost, last
    /// opened box wins.
    /// </summary>
    /// <returns>False when there is no box, or its braces are not closed.</returns>
    public static bool TryExtractBoxed(ReadOnlySpan<char> text, out ReadOnlySpan<char> answer)
    {
        answer = default;
        int boxed = text.LastIndexOf("\\boxed{");
        int fbox = text.LastIndexOf("\\fbox{");
        int open = boxed > fbox ? boxed + 7 : fbox >= 0 ? fbox + 6 : -1;
        if (open < 0) return false;

        int depth = 1;
        for (int i = open; i < text.Length; i++)
        {
            if (text[i] == '{') depth++;
            else if (text[i] == '}' && --depth == 0)
            {
                answer = text[open..i].Trim();
                return true;
            }
        }

        return false;
    }

    /// <summary>The content of the last <c>&lt;answer&gt;...&lt;/answer&gt;</c> block.</summary>
    public static bool TryExtractAnswerTag(ReadOnlySpan<char> text, out ReadOnlySpan<char> answer) =>
        TryExtractBetween(text, "<answer>", "</answer>", out answer);

    /// <summary>
    /// The text between the last <paramref name="open"/> marker and the first <paramref name="close"/>
    /// marker after it (e.g. <c>"&lt;answer&gt;"</c>, <c>"&lt;/answer&gt;"</c>; ordinal comparison).
    /// </summary>
    /// <returns>False when either marker is missing.</returns>
    public static bool TryExtractBetween(ReadOnlySpan<char> text, ReadOnlySpan<char> open, ReadOnlySpan<char> close, out ReadOnlySpan<char> answer)
    {
        answer = default;
        if (open.IsEmpty || close.IsEmpty) return false;
        int start = text.LastIndexOf(open);
        if (start < 0) return false;
        var rest = text[(start + open.Length)..];
        int end = rest.IndexOf(close);
        if (end < 0) return false;
        answer = rest[..end].Trim();
        return true;
    }

    /// <summary>
    /// The last number in the text, e.g. <c>1,234.5</c> in "so the total is 1,234.5." The number is
    /// the longest run ending at the last digit of: digits; commas followed by exactly three digits;
    /// one decimal point between digits (before any comma); one <c>/</c> between digits (a fraction, <c>3/4</c>);
    /// then a leading sign (<c>-</c>, <c>+</c>, <c>−</c>) when the character before the sign is not a
    /// letter, digit or closing bracket (so <c>5-3</c> gives <c>3</c>, <c>x = -3</c> gives <c>-3</c>).
    /// A number that directly follows a letter or <c>_</c> is part of a word (<c>H2O</c>, <c>mp3</c>,
    /// <c>x2</c>) and is skipped; letters after a number (<c>5km</c>, <c>3rd</c>) do not hide it. A
    /// sentence's final period is not part of the number.
    /// </summary>
    /// <returns>False when the text holds no number outside words.</returns>
    public static bool TryExtractLastNumber(ReadOnlySpan<char> text, out ReadOnlySpan<char> answer)
    {
        answer = default;
        int end = text.Length;
        while (true)
        {
            int last = text[..end].LastIndexOfAnyInRange('0', '9');
            if (last < 0) return false;
            int start = NumberStart(text, last);
            if (start > 0 && IsWordChar(text[start - 1]))
            {
                // part of a word: skip the word's digits and look further left
                end = start - 1;
                continue;
            }

            answer = text[start..(last + 1)];
            return true;
        }
    }

    private static int NumberStart(ReadOnlySpan<char> text, int last)
    {
        int start = last;
        int digitsInGroup = 1;
        bool point = false, comma = false, slash = false;
        while (start > 0)
        {
            char previous = text[start - 1];
            bool digitBefore = start >= 2 && char.IsAsciiDigit(text[start - 2]);
            if (char.IsAsciiDigit(previous))
            {
                digitsInGroup++;
            }
            else if (previous == ',' && digitBefore && digitsInGroup == 3)
            {
                comma = true;
                digitsInGroup = 0;
            }
            else if (previous == '.' && digitBefore && !point && !comma)
            {
                point = true;
                digitsInGroup = 0;
            }
            else if (previous == '/' && digitBefore && !slash)
            {
                // a fraction: the numerator is a number of its own
                slash = true;
                point = comma = false;
                digitsInGroup = 0;
            }
            else
            {
                break;
            }

            start--;
        }

        if (start > 0 && text[start - 1] is '-' or '+' or '\u2212')
        {
            char beforeSign = start >= 2 ? text[start - 2] : ' ';
            if (!char.IsLetterOrDigit(beforeSign) && beforeSign is not (')' or ']' or '}' or '_')) start--;
        }

        return start;
    }

    private static bool IsWordChar(char c) => char.IsLetter(c) || c == '_';
}
