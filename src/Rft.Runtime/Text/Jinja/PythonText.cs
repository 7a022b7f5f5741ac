using System.Globalization;
using System.Text;

namespace Rft.Text.Jinja;

/// <summary>Python's string rules where chat templates depend on them: whitespace, stripping, splitting, code points, reprs.</summary>
internal static class PythonText
{
    /// <summary>Python's <c>str.isspace()</c> for one UTF-16 unit (every Python whitespace character is in the BMP).</summary>
    public static bool IsSpace(char c) => c switch
    {
        ' ' or '\t' or '\n' or '\v' or '\f' or '\r' => true,
        '\x1c' or '\x1d' or '\x1e' or '\x1f' or '\x85' or '\xa0' => true,
        '\u1680' or '\u2028' or '\u2029' or '\u202f' or '\u205f' or '\u3000' => true,
        _ => c >= '\u2000' && c <= '\u200a',
    };

    /// <summary><c>str.strip(chars)</c>, <c>lstrip</c> (<paramref name="right"/> false) or <c>rstrip</c> (<paramref name="left"/> false); null chars strip whitespace.</summary>
    public static string Strip(string s, string? chars, bool left = true, bool right = true)
    {
        Func<string, int, int> width = (text, i) => char.IsSurrogatePair(text, i) ? 2 : 1;
        bool Strips(string text, int i)
        {
            if (chars is null) return IsSpace(text[i]);
            return chars.Contains(text.Substring(i, width(text, i)), StringComparison.Ordinal);
        }

        int start = 0, end = s.Length;
        if (left)
        {
            while (start < end && Strips(s, start)) start += width(s, start);
        }

        if (right)
        {
            while (end > start)
            {
                int last = end >= 2 && char.IsSurrogatePair(s[end - 2], s[end - 1]) ? end - 2 : end - 1;
                if (!Strips(s, last)) break;
                end = last;
            }
        }

        return s.Substring(start, end - start);
    }

    /// <summary><c>str.split(sep, maxsplit)</c>: on runs of whitespace when <paramref name="separator"/> is null.</summary>
    public static List<object?> Split(string s, string? separator, long maxSplit)
    {
        var parts = new List<object?>();
        if (separator is null)
        {
            int i = 0;
            while (true)
            {
                while (i < s.Length && IsSpace(s[i])) i++;
                if (i >= s.Length) break;
                if (maxSplit >= 0 && parts.Count == maxSplit)
                {
                    parts.Add(Strip(s[i..], null, left: false));
                    break;
                }

                int start = i;
                while (i < s.Length && !IsSpace(s[i])) i++;
                parts.Add(s[start..i]);
            }

            return parts;
        }

        if (separator.Length == 0) throw new RenderError("split(): empty separator");
        int from = 0;
        while (maxSplit < 0 || parts.Count < maxSplit)
        {
            int at = s.IndexOf(separator, from, StringComparison.Ordinal);
            if (at < 0) break;
            parts.Add(s[from..at]);
            from = at + separator.Length;
        }

        parts.Add(s[from..]);
        return parts;
    }

    /// <summary>The string as Python sees it: one element per code point (a surrogate pair is one).</summary>
    public static string[] CodePoints(string s)
    {
        var points = new List<string>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsSurrogatePair(s, i))
            {
                points.Add(s.Substring(i, 2));
                i++;
            }
            else
            {
                points.Add(s[i].ToString());
            }
        }

        return points.ToArray();
    }

    public static int CodePointCount(string s)
    {
        int count = 0;
        for (int i = 0; i < s.Length; i++, count++)
        {
            if (char.IsSurrogatePair(s, i)) i++;
        }

        return count;
    }

    /// <summary>Python's <c>repr(float)</c>: the shortest text that reads back, e.g. <c>0.1</c>, <c>2.0</c>, <c>1e+20</c>, <c>1e-05</c>, <c>inf</c>.</summary>
    public static string FloatRepr(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";

        // "R" gives the shortest digits that read back; lay them out as Python does.
        string shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int e = shortest.IndexOfAny(['E', 'e']);
        string mantissa = e < 0 ? shortest : shortest[..e];
        int exp10 = e < 0 ? 0 : int.Parse(shortest[(e + 1)..], CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.');
        string intPart = dot < 0 ? mantissa : mantissa[..dot];
        string fracPart = dot < 0 ? string.Empty : mantissa[(dot + 1)..];
        string all = intPart + fracPart;
        string digits = all.TrimStart('0');
        int exponent = intPart.Length - 1 - (all.Length - digits.Length) + exp10; // the power of ten of the first significant digit
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";

        var text = new StringBuilder();
        if (value < 0) text.Append('-');
        if (exponent < -4 || exponent >= 16)
        {
            text.Append(digits[0]);
            if (digits.Length > 1) text.Append('.').Append(digits, 1, digits.Length - 1);
            text.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (exponent < 0)
        {
            text.Append("0.").Append('0', -exponent - 1).Append(digits);
        }
        else if (digits.Length <= exponent + 1)
        {
            text.Append(digits).Append('0', exponent + 1 - digits.Length).Append(".0");
        }
        else
        {
            text.Append(digits, 0, exponent + 1).Append('.').Append(digits, exponent + 1, digits.Length - exponent - 1);
        }

        return text.ToString();
    }

    /// <summary>Python's <c>repr(str)</c>: single quotes unless the text holds one and no double quote.</summary>
    public static string StringRepr(string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var text = new StringBuilder(s.Length + 2).Append(quote);
        foreach (char c in s)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case '\n': text.Append(@"\n"); break;
                case '\r': text.Append(@"\r"); break;
                case '\t': text.Append(@"\t"); break;
                default:
                    if (c == quote) text.Append('\\').Append(c);
                    else if (c < ' ' || c == '\x7f') text.Append(@"\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else text.Append(c);
                    break;
            }
        }

        return text.Append(quote).ToString();
    }
}
