using System.Globalization;
using System.Text;

namespace Rft.Text.Jinja.Syntax;

/// <summary>
/// Splits a template into tokens the way Jinja2's lexer does with the settings transformers uses
/// (<c>trim_blocks</c>, <c>lstrip_blocks</c>, no trailing newline kept): line endings become <c>\n</c>;
/// <c>{%-</c>/<c>{{-</c>/<c>{#-</c> strip all whitespace before the tag and <c>-%}</c>/<c>-}}</c>/<c>-#}</c> all
/// whitespace after it; a block or comment tag alone on its line takes its indentation with it (lstrip_blocks,
/// <c>{%+</c> keeps it) and the newline after <c>%}</c> or <c>#}</c> is dropped (trim_blocks, <c>+%}</c> keeps it).
/// </summary>
internal sealed class JinjaLexer
{
    private static readonly string[] Operators =
    [
        "//", "**", "==", "!=", ">=", "<=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";",
    ];

    private readonly string _name;
    private readonly string _source;
    private readonly List<Token> _tokens = [];
    private readonly int[] _lineStarts;
    private int _pos;

    private JinjaLexer(string name, string source)
    {
        _name = name;
        _source = Normalize(source);
        var starts = new List<int> { 0 };
        for (int i = 0; i < _source.Length; i++)
        {
            if (_source[i] == '\n') starts.Add(i + 1);
        }

        _lineStarts = starts.ToArray();
    }

    public static List<Token> Tokenize(string name, string source)
    {
        var lexer = new JinjaLexer(name, source);
        lexer.Run();
        return lexer._tokens;
    }

    /// <summary>Jinja2 turns \r\n and \r into \n and drops one trailing newline (keep_trailing_newline is off).</summary>
    private static string Normalize(string source)
    {
        string text = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return text.EndsWith('\n') ? text[..^1] : text;
    }

    private SourcePosition PositionOf(int offset)
    {
        int line = Array.BinarySearch(_lineStarts, offset);
        if (line < 0) line = ~line - 1;
        return new SourcePosition(line + 1, offset - _lineStarts[line] + 1);
    }

    private JinjaException Error(int offset, string problem) => new(_name, PositionOf(offset), problem);

    private void Run()
    {
        bool lineStarting = true;
        while (_pos < _source.Length)
        {
            int tag = FindTagStart(_pos);
            if (tag < 0)
            {
                Emit(TokenKind.Data, _source[_pos..], _pos);
                _pos = _source.Length;
                break;
            }

            char kind = _source[tag + 1];
            char sign = tag + 2 < _source.Length ? _source[tag + 2] : '\0';
            string text = _source[_pos..tag];
            if (sign == '-')
            {
                text = PythonText.Strip(text, null, left: false);
            }
            else if (sign != '+' && kind != '{')
            {
                // lstrip_blocks: indentation between the line's start and a block or comment tag goes.
                int lineStart = text.LastIndexOf('\n') + 1;
                if ((lineStart > 0 || lineStarting) && lineStart < text.Length && text[lineStart..].All(PythonText.IsSpace))
                    text = text[..lineStart];
            }

            if (text.Length > 0) Emit(TokenKind.Data, text, _pos);
            int afterOpen = tag + 2 + (sign is '-' or '+' ? 1 : 0);
            lineStarting = kind switch
            {
                '#' => SkipComment(tag, afterOpen),
                '%' when IsRawBlock(afterOpen, out int rawStart) => ReadRaw(tag, rawStart),
                _ => ReadTag(tag, afterOpen, kind == '%'),
            };
        }

        Emit(TokenKind.EndOfInput, string.Empty, _source.Length);
    }

    private void Emit(TokenKind kind, string value, int offset) => _tokens.Add(new Token(kind, value, PositionOf(offset)));

    private int FindTagStart(int from)
    {
        for (int i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
        {
            if (_source[i + 1] is '{' or '%' or '#') return i;
        }

        return -1;
    }

    /// <summary>Skips a comment; returns whether what was consumed ends with a newline.</summary>
    private bool SkipComment(int tag, int from)
    {
        int end = _source.IndexOf("#}", from, StringComparison.Ordinal);
        if (end < 0) throw Error(tag, "the comment opened here has no closing '#}'");
        char sign = end > from ? _source[end - 1] : '\0';
        _pos = end + 2;
        return AfterClose(sign, trim: true);
    }

    /// <summary>Applies what follows a closing tag: <c>-</c> strips whitespace, trim_blocks drops one newline.</summary>
    private bool AfterClose(char sign, bool trim)
    {
        int start = _pos;
        if (sign == '-')
        {
            while (_pos < _source.Length && PythonText.IsSpace(_source[_pos])) _pos++;
        }
        else if (sign != '+' && trim && _pos < _source.Length && _source[_pos] == '\n')
        {
            _pos++;
        }

        return _pos > start ? _source[_pos - 1] == '\n' : false;
    }

    private bool IsRawBlock(int from, out int afterName)
    {
        int i = from;
        while (i < _source.Length && PythonText.IsSpace(_source[i])) i++;
        afterName = i + 3;
        return string.CompareOrdinal(_source, i, "raw", 0, 3) == 0 && (afterName >= _source.Length || !IsNameChar(_source[afterName]));
    }

    private bool ReadRaw(int tag, int from)
    {
        int close = SkipSpaceTo(from, "%}", tag, "'raw'");
        _pos = close + 2;
        AfterClose(_source[close - 1], trim: true);
        int search = _pos;
        while (true)
        {
            int open = _source.IndexOf("{%", search, StringComparison.Ordinal);
            if (open < 0) throw Error(tag, "the raw block opened here has no '{% endraw %}'");
            int i = open + 2;
            char sign = i < _source.Length ? _source[i] : '\0';
            if (sign is '-' or '+') i++;
            while (i < _source.Length && PythonText.IsSpace(_source[i])) i++;
            if (string.CompareOrdinal(_source, i, "endraw", 0, 6) != 0)
            {
                search = open + 2;
                continue;
            }

            string text = _source[_pos..open];
            if (sign == '-') text = PythonText.Strip(text, null, left: false);
            if (text.Length > 0) Emit(TokenKind.Data, text, _pos);
            int end = SkipSpaceTo(i + 6, "%}", open, "'endraw'");
            _pos = end + 2;
            return AfterClose(_source[end - 1], trim: true);
        }
    }

    private int SkipSpaceTo(int from, string close, int tag, string what)
    {
        int i = from;
        while (i < _source.Length && PythonText.IsSpace(_source[i])) i++;
        if (i < _source.Length && _source[i] is '-' or '+') i++;
        if (string.CompareOrdinal(_source, i, close, 0, close.Length) != 0) throw Error(tag, $"{what} must be followed by '{close}'");
        return i;
    }

    /// <summary>Tokenizes the inside of a <c>{{ }}</c> or <c>{% %}</c> tag; returns whether the close consumed a newline.</summary>
    private bool ReadTag(int tag, int from, bool block)
    {
        Emit(block ? TokenKind.BlockBegin : TokenKind.VariableBegin, block ? "{%" : "{{", tag);
        string close = block ? "%}" : "}}";
        var brackets = new Stack<(char Close, int Offset)>();
        int i = from;
        while (true)
        {
            while (i < _source.Length && PythonText.IsSpace(_source[i])) i++;
            if (i >= _source.Length)
                throw Error(tag, $"the tag opened here has no closing '{close}'");

            if (brackets.Count == 0)
            {
                char sign = _source[i] is '-' or '+' && string.CompareOrdinal(_source, i + 1, close, 0, 2) == 0 ? _source[i] : '\0';
                if (sign == '+' && !block) sign = '\0'; // '+}}' is not a modifier
                if (sign != '\0' || string.CompareOrdinal(_source, i, close, 0, 2) == 0)
                {
                    int closeAt = sign == '\0' ? i : i + 1;
                    Emit(block ? TokenKind.BlockEnd : TokenKind.VariableEnd, close, closeAt);
                    _pos = closeAt + 2;
                    return AfterClose(sign, trim: block);
                }
            }

            char c = _source[i];
            if (c is '\'' or '"')
            {
                i = ReadString(i);
            }
            else if (char.IsAsciiDigit(c))
            {
                i = ReadNumber(i);
            }
            else if (IsNameStart(c))
            {
                int start = i;
                while (i < _source.Length && IsNameChar(_source[i])) i++;
                Emit(TokenKind.Name, _source[start..i], start);
            }
            else
            {
                string? op = Operators.FirstOrDefault(o => string.CompareOrdinal(_source, i, o, 0, o.Length) == 0);
                if (op is null) throw Error(i, $"unexpected character '{c}' in a tag");
                if (op is "(" or "[" or "{") brackets.Push((op switch { "(" => ')', "[" => ']', _ => '}' }, i));
                else if (op is ")" or "]" or "}")
                {
                    if (brackets.Count == 0) throw Error(i, $"unexpected '{op}': nothing is open");
                    var (expected, _) = brackets.Pop();
                    if (expected != op[0]) throw Error(i, $"unexpected '{op}', expected '{expected}'");
                }

                Emit(TokenKind.Operator, op, i);
                i += op.Length;
            }
        }
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private int ReadNumber(int start)
    {
        int i = start;
        while (i < _source.Length && (char.IsAsciiDigit(_source[i]) || _source[i] == '_')) i++;
        bool isFloat = false;
        if (i + 1 < _source.Length && _source[i] == '.' && char.IsAsciiDigit(_source[i + 1]))
        {
            isFloat = true;
            i++;
            while (i < _source.Length && (char.IsAsciiDigit(_source[i]) || _source[i] == '_')) i++;
        }

        if (i < _source.Length && _source[i] is 'e' or 'E')
        {
            int j = i + 1;
            if (j < _source.Length && _source[j] is '+' or '-') j++;
            if (j < _source.Length && char.IsAsciiDigit(_source[j]))
            {
                isFloat = true;
                i = j;
                while (i < _source.Length && char.IsAsciiDigit(_source[i])) i++;
            }
        }

        string text = _source[start..i].Replace("_", string.Empty, StringComparison.Ordinal);
        Emit(isFloat ? TokenKind.Float : TokenKind.Integer, text, start);
        return i;
    }

    /// <summary>A quoted literal, decoded as Python's unicode-escape does (unknown escapes keep their backslash).</summary>
    private int ReadString(int start)
    {
        char quote = _source[start];
        var value = new StringBuilder();
        int i = start + 1;
        while (true)
        {
            if (i >= _source.Length) throw Error(start, "the string literal opened here is not closed");
            char c = _source[i];
            if (c == quote) break;
            if (c != '\\')
            {
                value.Append(c);
                i++;
                continue;
            }

            if (i + 1 >= _source.Length) throw Error(start, "the string literal opened here is not closed");
            char e = _source[i + 1];
            i += 2;
            switch (e)
            {
                case '\n': break; // a backslash-newline continues the line
                case '\\': value.Append('\\'); break;
                case '\'': value.Append('\''); break;
                case '"': value.Append('"'); break;
                case 'a': value.Append('\a'); break;
                case 'b': value.Append('\b'); break;
                case 'f': value.Append('\f'); break;
                case 'n': value.Append('\n'); break;
                case 'r': value.Append('\r'); break;
                case 't': value.Append('\t'); break;
                case 'v': value.Append('\v'); break;
                case 'x': i = AppendHex(value, i, 2, start); break;
                case 'u': i = AppendHex(value, i, 4, start); break;
                case 'U': i = AppendHex(value, i, 8, start); break;
                case >= '0' and <= '7':
                    int code = e - '0', digits = 1;
                    while (digits < 3 && i < _source.Length && _source[i] is >= '0' and <= '7')
                    {
                        code = code * 8 + (_source[i++] - '0');
                        digits++;
                    }

                    value.Append((char)code);
                    break;
                default:
                    value.Append('\\').Append(e);
                    break;
            }
        }

        Emit(TokenKind.String, value.ToString(), start);
        return i + 1;
    }

    private int AppendHex(StringBuilder value, int from, int length, int literal)
    {
        if (from + length > _source.Length
            || !int.TryParse(_source.AsSpan(from, length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code)
            || code > 0x10FFFF)
            throw Error(literal, $"the string literal has a malformed \\{(length == 2 ? "x" : length == 4 ? "u" : "U")} escape");
        value.Append(char.ConvertFromUtf32(code is >= 0xD800 and <= 0xDFFF ? 0xFFFD : code));
        return from + length;
    }
}
