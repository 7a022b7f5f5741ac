using System.Globalization;

namespace Rft.Text.Jinja.Syntax;

/// <summary>
/// Builds the statement tree of a template with Jinja2's grammar and operator precedence: conditional expressions,
/// then <c>or</c>, <c>and</c>, <c>not</c>, comparisons and <c>in</c>, <c>+ -</c>, <c>~</c>, <c>* / // %</c>, <c>**</c>,
/// unary signs, and postfix attribute, subscript, call, filter and test. Unknown filters, tests and tags are
/// errors here, before anything renders, as Jinja2 reports them at compile time.
/// </summary>
internal sealed class JinjaParser
{
    private static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal)
    {
        "include", "import", "from", "extends", "block", "call", "filter", "with", "do", "autoescape", "trans",
    };

    private readonly string _name;
    private readonly List<Token> _tokens;
    private int _index;
    private int _loopDepth;

    private JinjaParser(string name, List<Token> tokens)
    {
        _name = name;
        _tokens = tokens;
    }

    public static List<Statement> Parse(string name, string source)
    {
        var parser = new JinjaParser(name, JinjaLexer.Tokenize(name, source));
        var (body, _) = parser.ParseBody(null);
        return body;
    }

    private Token Current => _tokens[_index];

    private Token Peek(int ahead = 1) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    private Token Next() => _tokens[_index++];

    private JinjaException Error(Token at, string problem) => new(_name, at.Position, problem);

    private Token Expect(TokenKind kind, string? value = null, string? what = null)
    {
        var token = Current;
        if (token.Kind != kind || (value is not null && token.Value != value))
            throw Error(token, $"expected {what ?? (value is null ? kind.ToString() : $"'{value}'")}, got {token}");
        _index++;
        return token;
    }

    private bool Accept(TokenKind kind, string value)
    {
        if (!Current.Is(kind, value)) return false;
        _index++;
        return true;
    }

    private bool AcceptOperator(string op) => Accept(TokenKind.Operator, op);

    private bool AcceptName(string name) => Accept(TokenKind.Name, name);

    // ---- Statements -------------------------------------------------------------------------------

    /// <summary>Parses until one of <paramref name="end"/>'s tags (consumed up to its name) or, for the top level, the end of input.</summary>
    private (List<Statement> Body, string EndTag) ParseBody((Token Opening, string[] Tags)? end)
    {
        var body = new List<Statement>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.EndOfInput:
                    if (end is { } e)
                        throw Error(e.Opening, $"'{{% {e.Opening.Value} %}}' here is never closed: expected {string.Join(" or ", e.Tags.Select(t => $"'{{% {t} %}}'"))} before the end of the template");
                    return (body, string.Empty);
                case TokenKind.Data:
                    _index++;
                    body.Add(new TextStatement(token.Position, token.Value));
                    break;
                case TokenKind.VariableBegin:
                    _index++;
                    var expression = ParseTuple(withConditional: true);
                    Expect(TokenKind.VariableEnd, what: "'}}'");
                    body.Add(new OutputStatement(token.Position, expression));
                    break;
                case TokenKind.BlockBegin:
                    var tag = Peek();
                    if (tag.Kind == TokenKind.Name && end is { } closing && closing.Tags.Contains(tag.Value))
                    {
                        _index += 2;
                        return (body, tag.Value);
                    }

                    _index++;
                    ParseTag(body);
                    break;
                default:
                    throw Error(token, $"unexpected {token}");
            }
        }
    }

    private void ParseTag(List<Statement> body)
    {
        var tag = Expect(TokenKind.Name, what: "a tag name such as if, for or set");
        switch (tag.Value)
        {
            case "if": body.Add(ParseIf(tag)); break;
            case "for": body.Add(ParseFor(tag)); break;
            case "set": body.Add(ParseSet(tag)); break;
            case "macro": body.Add(ParseMacro(tag)); break;
            case "generation":
                // transformers' {% generation %} marks assistant text for masks; rendering passes its body through.
                Expect(TokenKind.BlockEnd, what: "'%}'");
                body.AddRange(ParseBodyUntil(tag, "endgeneration"));
                break;
            case "break":
            case "continue":
                if (_loopDepth == 0) throw Error(tag, $"'{{% {tag.Value} %}}' is only allowed inside a for loop");
                Expect(TokenKind.BlockEnd, what: "'%}'");
                body.Add(new LoopControlStatement(tag.Position, tag.Value == "break" ? Flow.Break : Flow.Continue));
                break;
            default:
                if (Unsupported.Contains(tag.Value)) throw Error(tag, $"'{{% {tag.Value} %}}' is not supported in chat templates");
                if (tag.Value.StartsWith("end", StringComparison.Ordinal) || tag.Value is "else" or "elif")
                    throw Error(tag, $"unexpected '{{% {tag.Value} %}}': no open block it could close");
                throw Error(tag, $"unknown tag '{tag.Value}'; chat templates use if, elif, else, for, set, macro, break, continue, raw and generation");
        }
    }

    /// <summary>The body up to <c>{% end %}</c>, with that tag's <c>%}</c> consumed.</summary>
    private List<Statement> ParseBodyUntil(Token opening, string endTag)
    {
        var (body, _) = ParseBody((opening, [endTag]));
        Expect(TokenKind.BlockEnd, what: "'%}'");
        return body;
    }

    private IfStatement ParseIf(Token tag)
    {
        var test = ParseTuple(withConditional: true);
        Expect(TokenKind.BlockEnd, what: "'%}'");
        var (body, end) = ParseBody((tag, ["elif", "else", "endif"]));
        IReadOnlyList<Statement> otherwise = [];
        if (end == "elif")
        {
            otherwise = [ParseIf(_tokens[_index - 1])];
            return new IfStatement(tag.Position, test, body, otherwise);
        }

        Expect(TokenKind.BlockEnd, what: "'%}'");
        if (end == "else") otherwise = ParseBodyUntil(tag, "endif");
        return new IfStatement(tag.Position, test, body, otherwise);
    }

    private ForStatement ParseFor(Token tag)
    {
        var target = ParseAssignTarget(allowAttribute: false);
        Expect(TokenKind.Name, "in");
        var iterable = ParseTuple(withConditional: false);
        Expression? filter = null;
        if (AcceptName("if")) filter = ParseTuple(withConditional: true);
        if (Current.IsName("recursive")) throw Error(Current, "recursive for loops are not supported in chat templates");
        Expect(TokenKind.BlockEnd, what: "'%}'");
        _loopDepth++;
        var (body, end) = ParseBody((tag, ["else", "endfor"]));
        _loopDepth--;
        Expect(TokenKind.BlockEnd, what: "'%}'");
        IReadOnlyList<Statement> otherwise = end == "else" ? ParseBodyUntil(tag, "endfor") : [];
        return new ForStatement(tag.Position, target, iterable, filter, body, otherwise);
    }

    private SetStatement ParseSet(Token tag)
    {
        var target = ParseAssignTarget(allowAttribute: true);
        if (AcceptOperator("="))
        {
            var value = ParseTuple(withConditional: true);
            Expect(TokenKind.BlockEnd, what: "'%}'");
            return new SetStatement(tag.Position, target, value, []);
        }

        if (target is not NameExpression) throw Error(Current, "a block set ({% set name %}...{% endset %}) assigns to one name");
        Expect(TokenKind.BlockEnd, what: "'=' or '%}'");
        return new SetStatement(tag.Position, target, null, ParseBodyUntil(tag, "endset"));
    }

    private MacroStatement ParseMacro(Token tag)
    {
        var name = Expect(TokenKind.Name, what: "the macro's name");
        Expect(TokenKind.Operator, "(");
        var parameters = new List<(string, Expression?)>();
        while (!AcceptOperator(")"))
        {
            if (parameters.Count > 0) Expect(TokenKind.Operator, ",");
            var parameter = Expect(TokenKind.Name, what: "a parameter name");
            parameters.Add((parameter.Value, AcceptOperator("=") ? ParseExpression(withConditional: true) : null));
        }

        Expect(TokenKind.BlockEnd, what: "'%}'");
        int loops = _loopDepth;
        _loopDepth = 0;
        var body = ParseBodyUntil(tag, "endmacro");
        _loopDepth = loops;
        return new MacroStatement(tag.Position, name.Value, parameters, body);
    }

    /// <summary>A name, names separated by commas (optionally in parentheses), or with <paramref name="allowAttribute"/> <c>ns.attr</c>.</summary>
    private Expression ParseAssignTarget(bool allowAttribute)
    {
        var start = Current;
        if (allowAttribute && start.Kind == TokenKind.Name && Peek().IsOperator(".") && Peek(2).Kind == TokenKind.Name)
        {
            _index += 3;
            return new AttributeExpression(start.Position, new NameExpression(start.Position, start.Value), Peek(-1).Value);
        }

        bool parenthesized = AcceptOperator("(");
        var names = new List<Expression>();
        do
        {
            var name = Expect(TokenKind.Name, what: "a variable name to assign to");
            names.Add(new NameExpression(name.Position, name.Value));
        }
        while (AcceptOperator(","));

        if (parenthesized) Expect(TokenKind.Operator, ")");
        return names.Count == 1 && !parenthesized ? names[0] : new ListExpression(start.Position, names, isTuple: true);
    }

    // ---- Expressions ------------------------------------------------------------------------------

    /// <summary>An expression, or a tuple when commas follow (<c>{{ a, b }}</c>, <c>for x in a, b</c>).</summary>
    private Expression ParseTuple(bool withConditional)
    {
        var start = Current;
        var first = ParseExpression(withConditional);
        if (!Current.IsOperator(",")) return first;
        var items = new List<Expression> { first };
        while (AcceptOperator(","))
        {
            if (Current.Kind is TokenKind.BlockEnd or TokenKind.VariableEnd || Current.IsName("if") || Current.IsOperator(")")) break;
            items.Add(ParseExpression(withConditional));
        }

        return new ListExpression(start.Position, items, isTuple: true);
    }

    private Expression ParseExpression(bool withConditional) => withConditional ? ParseConditional() : ParseOr();

    private Expression ParseConditional()
    {
        var value = ParseOr();
        while (Current.IsName("if"))
        {
            var at = Next();
            var test = ParseOr();
            var otherwise = AcceptName("else") ? ParseConditional() : null;
            value = new ConditionalExpression(at.Position, test, value, otherwise);
        }

        return value;
    }

    private Expression ParseOr() => ParseKeywordChain(ParseAnd, "or");

    private Expression ParseAnd() => ParseKeywordChain(ParseNot, "and");

    /// <summary>Operands joined by a keyword operator, <c>a or b or c</c>, left to right.</summary>
    private Expression ParseKeywordChain(Func<Expression> operand, string keyword)
    {
        var left = operand();
        while (Current.IsName(keyword))
        {
            var at = Next();
            left = new BinaryExpression(at.Position, keyword, left, operand());
        }

        return left;
    }

    private Expression ParseNot()
    {
        if (!Current.IsName("not")) return ParseCompare();
        var at = Next();
        return new UnaryExpression(at.Position, "not", ParseNot());
    }

    private Expression ParseCompare()
    {
        var start = Current;
        var first = ParseMath1();
        var rest = new List<(string, Expression)>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && Current.Value is "==" or "!=" or "<" or "<=" or ">" or ">=")
            {
                rest.Add((Next().Value, ParseMath1()));
            }
            else if (AcceptName("in"))
            {
                rest.Add(("in", ParseMath1()));
            }
            else if (Current.IsName("not") && Peek().IsName("in"))
            {
                _index += 2;
                rest.Add(("not in", ParseMath1()));
            }
            else
            {
                break;
            }
        }

        return rest.Count == 0 ? first : new CompareExpression(start.Position, first, rest);
    }

    private Expression ParseLeftAssociative(Func<Expression> operand, params string[] operators)
    {
        var left = operand();
        while (Current.Kind == TokenKind.Operator && operators.Contains(Current.Value))
        {
            var op = Next();
            left = new BinaryExpression(op.Position, op.Value, left, operand());
        }

        return left;
    }

    private Expression ParseMath1() => ParseLeftAssociative(ParseConcat, "+", "-");

    private Expression ParseConcat() => ParseLeftAssociative(ParseMath2, "~");

    private Expression ParseMath2() => ParseLeftAssociative(ParsePow, "*", "/", "//", "%");

    private Expression ParsePow() => ParseLeftAssociative(() => ParseUnary(withFilter: true), "**");

    private Expression ParseUnary(bool withFilter)
    {
        var token = Current;
        Expression node;
        if (token.IsOperator("-") || token.IsOperator("+"))
        {
            _index++;
            node = new UnaryExpression(token.Position, token.Value, ParseUnary(withFilter: false));
        }
        else
        {
            node = ParsePrimary();
        }

        node = ParsePostfix(node);
        return withFilter ? ParseFilterChain(node) : node;
    }

    private Expression ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new ConstantExpression(token.Position, true),
                    "false" or "False" => new ConstantExpression(token.Position, false),
                    "none" or "None" => new ConstantExpression(token.Position, null),
                    _ => new NameExpression(token.Position, token.Value),
                };
            case TokenKind.String:
                // Adjacent literals join, as in Python: 'a' 'b' is 'ab'.
                string text = token.Value;
                while (Current.Kind == TokenKind.String) text += Next().Value;
                return new ConstantExpression(token.Position, text);
            case TokenKind.Integer:
                return new ConstantExpression(token.Position, ParseInteger(token));
            case TokenKind.Float:
                return new ConstantExpression(token.Position, double.Parse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture));
            case TokenKind.Operator when token.Value == "(":
                if (AcceptOperator(")")) return new ListExpression(token.Position, [], isTuple: true);
                var inner = ParseTuple(withConditional: true);
                Expect(TokenKind.Operator, ")");
                return inner;
            case TokenKind.Operator when token.Value == "[":
                var items = new List<Expression>();
                while (!AcceptOperator("]"))
                {
                    if (items.Count > 0)
                    {
                        Expect(TokenKind.Operator, ",");
                        if (AcceptOperator("]")) break;
                    }

                    items.Add(ParseExpression(withConditional: true));
                }

                return new ListExpression(token.Position, items, isTuple: false);
            case TokenKind.Operator when token.Value == "{":
                var entries = new List<(Expression, Expression)>();
                while (!AcceptOperator("}"))
                {
                    if (entries.Count > 0)
                    {
                        Expect(TokenKind.Operator, ",");
                        if (AcceptOperator("}")) break;
                    }

                    var key = ParseExpression(withConditional: true);
                    Expect(TokenKind.Operator, ":");
                    entries.Add((key, ParseExpression(withConditional: true)));
                }

                return new DictExpression(token.Position, entries);
            default:
                throw Error(token, $"expected a value (a name, literal, '(' , '[' or '{{'), got {token}");
        }
    }

    private long ParseInteger(Token token)
    {
        string text = token.Value;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value)) return value;
        throw Error(token, $"the integer {text} is too large");
    }

    private Expression ParsePostfix(Expression node)
    {
        while (true)
        {
            var token = Current;
            if (token.IsOperator("."))
            {
                _index++;
                var attribute = Next();
                node = attribute.Kind switch
                {
                    TokenKind.Name => new AttributeExpression(token.Position, node, attribute.Value),
                    TokenKind.Integer => new ItemExpression(token.Position, node, new ConstantExpression(attribute.Position, ParseInteger(attribute))),
                    _ => throw Error(attribute, $"expected an attribute name after '.', got {attribute}"),
                };
            }
            else if (token.IsOperator("["))
            {
                _index++;
                node = ParseSubscript(token, node);
            }
            else if (token.IsOperator("("))
            {
                _index++;
                node = new CallExpression(node.Position, node, ParseCallArguments());
            }
            else
            {
                return node;
            }
        }
    }

    private Expression ParseSubscript(Token open, Expression target)
    {
        Expression? start = null, stop = null, step = null;
        if (!Current.IsOperator(":"))
        {
            start = ParseExpression(withConditional: true);
            if (AcceptOperator("]")) return new ItemExpression(open.Position, target, start);
        }

        Expect(TokenKind.Operator, ":");
        if (!Current.IsOperator("]") && !Current.IsOperator(":")) stop = ParseExpression(withConditional: true);
        if (AcceptOperator(":") && !Current.IsOperator("]")) step = ParseExpression(withConditional: true);
        Expect(TokenKind.Operator, "]");
        return new SliceExpression(open.Position, target, start, stop, step);
    }

    /// <summary>Arguments after '(' up to and including ')'.</summary>
    private CallArguments ParseCallArguments()
    {
        var positional = new List<Expression>();
        var keywords = new List<(string, Expression)>();
        while (!AcceptOperator(")"))
        {
            if (positional.Count + keywords.Count > 0)
            {
                Expect(TokenKind.Operator, ",", "',' or ')'");
                if (AcceptOperator(")")) break;
            }

            if (Current.IsOperator("*") || Current.IsOperator("**"))
                throw Error(Current, "argument unpacking (*args, **kwargs) is not supported in chat templates");
            if (Current.Kind == TokenKind.Name && Peek().IsOperator("="))
            {
                string name = Next().Value;
                _index++;
                keywords.Add((name, ParseExpression(withConditional: true)));
            }
            else
            {
                if (keywords.Count > 0) throw Error(Current, "a positional argument cannot follow a keyword argument");
                positional.Add(ParseExpression(withConditional: true));
            }
        }

        return new CallArguments(positional, keywords);
    }

    private Expression ParseFilterChain(Expression node)
    {
        while (true)
        {
            var token = Current;
            if (token.IsOperator("|"))
            {
                _index++;
                var name = Expect(TokenKind.Name, what: "a filter name after '|'");
                if (!JinjaFilters.Exists(name.Value)) throw Error(name, $"no filter named '{name.Value}'");
                var arguments = AcceptOperator("(") ? ParseCallArguments() : CallArguments.None;
                node = new FilterExpression(name.Position, node, name.Value, arguments);
            }
            else if (token.IsName("is"))
            {
                _index++;
                bool negated = AcceptName("not");
                var name = Expect(TokenKind.Name, what: "a test name after 'is'");
                if (!JinjaTests.Exists(name.Value)) throw Error(name, $"no test named '{name.Value}'");
                CallArguments arguments = CallArguments.None;
                if (AcceptOperator("("))
                {
                    arguments = ParseCallArguments();
                }
                else if (StartsTestArgument(Current))
                {
                    arguments = new CallArguments([ParsePostfix(ParsePrimary())], []);
                }

                node = new TestExpression(name.Position, node, name.Value, arguments, negated);
            }
            else if (token.IsOperator("("))
            {
                _index++;
                node = new CallExpression(node.Position, node, ParseCallArguments());
            }
            else
            {
                return node;
            }
        }
    }

    /// <summary>Jinja2 reads one bare argument after a test name (<c>x is divisibleby 3</c>), but not <c>else</c>, <c>or</c>, <c>and</c>.</summary>
    private static bool StartsTestArgument(Token token) =>
        token.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float
        || (token.Kind == TokenKind.Name && token.Value is not ("else" or "or" or "and" or "is"))
        || token.IsOperator("[") || token.IsOperator("{");
}
