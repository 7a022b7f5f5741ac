namespace Rft.Rewards;

/// <summary>
/// Reads a final answer as an exact number and compares answers, without allocating.
/// </summary>
/// <remarks>
/// <para>The exact rule. After trimming white space and one trailing sentence period, the text must be,
/// in order: an optional sign (<c>+</c>, <c>-</c> or the Unicode minus <c>−</c>); an optional currency
/// sign (<c>$</c> or LaTeX <c>\$</c>); a body; an optional percent sign (<c>%</c> or <c>\%</c>). The
/// body is one of:</para>
/// <list type="bullet">
/// <item>a decimal: digits, optionally grouped by commas in threes (<c>1,234,567</c>; the first group
/// has 1 to 3 digits, every later group exactly 3), optionally followed by <c>.</c> and digits;
/// <c>.5</c> is accepted, <c>1,23</c> and <c>1.</c>-followed-by-more-text are not;</item>
/// <item>a fraction of two unsigned decimals: <c>a/b</c>, or LaTeX <c>\frac{a}{b}</c>
/// (<c>\dfrac</c> and <c>\tfrac</c> too).</item>
/// </list>
/// <para>The value is the exact rational number written (<see cref="ExactNumber"/>), so <c>1,000.50</c>
/// equals <c>1000.5</c>, <c>3/4</c> equals <c>0.75</c>, <c>18.00</c> equals <c>18</c> and <c>-0</c>
/// equals <c>0</c>. Signs and currency do not change the value beyond the sign; a percent sign is
/// dropped, so <c>50%</c> equals <c>50</c> (not 0.5): GSM8K-style datasets store the number a question
/// asks for, and a model that answers "50%" to "what percent..." is right.</para>
/// <para>Each decimal may have at most 18 significant digits and 18 digits after the point (trailing
/// zeros after the point do not count), which keeps every value exact in 128-bit integers; longer
/// numbers are not parsed.</para>
/// </remarks>
public static class NumericAnswer
{
    private const int MaxDigits = 18;

    /// <summary>Parses <paramref name="text"/> by the rule above.</summary>
    /// <returns>False when the text is not exactly one number by that rule.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out ExactNumber value)
    {
        value = default;
        var rest = text.Trim();
        if (rest.Length > 1 && rest[^1] == '.') rest = rest[..^1].TrimEnd();

        bool negative = false, signed = false, currency = false;
        for (bool progress = true; progress && rest.Length > 0;)
        {
            progress = false;
            if (!signed && rest[0] is '+' or '-' or '\u2212')
            {
                negative = rest[0] != '+';
                signed = progress = true;
                rest = rest[1..].TrimStart();
            }
            else if (!currency && (rest.StartsWith("\\$") || rest.StartsWith("$")))
            {
                currency = progress = true;
                rest = rest[(rest[0] == '\\' ? 2 : 1)..].TrimStart();
            }
        }

        if (rest.EndsWith("\\%")) rest = rest[..^2].TrimEnd();
        else if (rest.EndsWith("%")) rest = rest[..^1].TrimEnd();

        Int128 numerator, denominator;
        if (TryStripFrac(rest, out var top, out var bottom) || TrySplitSlash(rest, out top, out bottom))
        {
            if (!TryParseDecimal(top, out var topMantissa, out int topScale)
                || !TryParseDecimal(bottom, out var bottomMantissa, out int bottomScale)
                || bottomMantissa == 0)
                return false;
            numerator = topMantissa * Int128Pow10(bottomScale);
            denominator = bottomMantissa * Int128Pow10(topScale);
        }
        else
        {
            if (!TryParseDecimal(rest, out numerator, out int scale)) return false;
            denominator = Int128Pow10(scale);
        }

        value = ExactNumber.FromFraction(negative ? -numerator : numerator, denominator);
        return true;
    }

    /// <summary>True when both texts parse (see <see cref="TryParse"/>) to the same exact number.</summary>
    public static bool AreEquivalent(ReadOnlySpan<char> left, ReadOnlySpan<char> right) =>
        TryParse(left, out var a) && TryParse(right, out var b) && a == b;

    /// <summary>True when <paramref name="text"/> parses to <paramref name="expected"/>.</summary>
    public static bool Matches(ReadOnlySpan<char> text, ExactNumber expected) =>
        TryParse(text, out var value) && value == expected;

    // \frac{a}{b}, \dfrac{a}{b}, \tfrac{a}{b}: the whole text, one level of braces.
    private static bool TryStripFrac(ReadOnlySpan<char> text, out ReadOnlySpan<char> top, out ReadOnlySpan<char> bottom)
    {
        top = bottom = default;
        ReadOnlySpan<char> rest;
        if (text.StartsWith("\\frac{")) rest = text[6..];
        else if (text.StartsWith("\\dfrac{") || text.StartsWith("\\tfrac{")) rest = text[7..];
        else return false;

        int close = rest.IndexOf('}');
        if (close < 0) return false;
        top = rest[..close].Trim();
        rest = rest[(close + 1)..].TrimStart();
        if (rest.Length < 2 || rest[0] != '{' || rest[^1] != '}') return false;
        bottom = rest[1..^1].Trim();
        return bottom.IndexOfAny('{', '}') < 0;
    }

    private static bool TrySplitSlash(ReadOnlySpan<char> text, out ReadOnlySpan<char> top, out ReadOnlySpan<char> bottom)
    {
        int slash = text.IndexOf('/');
        top = slash < 0 ? default : text[..slash].Trim();
        bottom = slash < 0 ? default : text[(slash + 1)..].Trim();
        return slash >= 0;
    }

    /// <summary>An unsigned decimal with optional comma grouping, as mantissa / 10^scale.</summary>
    private static bool TryParseDecimal(ReadOnlySpan<char> text, out Int128 mantissa, out int scale)
    {
        mantissa = 0;
        scale = 0;
        int point = text.IndexOf('.');
        var whole = point < 0 ? text : text[..point];
        var fraction = point < 0 ? default : text[(point + 1)..];
        if (whole.IsEmpty && fraction.IsEmpty) return false;
        if (point >= 0 && fraction.IsEmpty) return false;

        while (fraction.Length > 0 && fraction[^1] == '0') fraction = fraction[..^1];
        if (fraction.Length > MaxDigits) return false;

        int significant = 0;
        int group = 0;
        bool grouped = false;
        for (int i = 0; i < whole.Length; i++)
        {
            char c = whole[i];
            if (c == ',')
            {
                // the first group has 1-3 digits, every later one exactly 3
                if (grouped ? group != 3 : group is < 1 or > 3) return false;
                grouped = true;
                group = 0;
                continue;
            }

            if (!char.IsAsciiDigit(c)) return false;
            group++;
            if (!Accumulate(ref mantissa, c, ref significant)) return false;
        }

        if (grouped && group != 3) return false;
        foreach (char c in fraction)
        {
            if (!char.IsAsciiDigit(c) || !Accumulate(ref mantissa, c, ref significant)) return false;
        }

        scale = fraction.Length;
        return true;
    }

    private static bool Accumulate(ref Int128 mantissa, char digit, ref int significant)
    {
        if (mantissa != 0 || digit != '0') significant++;
        if (significant > MaxDigits) return false;
        mantissa = mantissa * 10 + (digit - '0');
        return true;
    }

    private static Int128 Int128Pow10(int exponent)
    {
        Int128 result = 1;
        for (int i = 0; i < exponent; i++) result *= 10;
        return result;
    }
}
