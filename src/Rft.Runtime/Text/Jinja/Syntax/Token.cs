namespace Rft.Text.Jinja.Syntax;

/// <summary>One token of a template; <see cref="Value"/> is the text of data, a name, an operator or a decoded string literal.</summary>
internal readonly record struct Token(TokenKind Kind, string Value, SourcePosition Position)
{
    public bool Is(TokenKind kind, string value) => Kind == kind && Value == value;

    public bool IsName(string name) => Kind == TokenKind.Name && Value == name;

    public bool IsOperator(string op) => Kind == TokenKind.Operator && Value == op;

    public override string ToString() => Kind switch
    {
        TokenKind.EndOfInput => "the end of the template",
        TokenKind.Data => "template text",
        TokenKind.VariableEnd => "'}}'",
        TokenKind.BlockEnd => "'%}'",
        TokenKind.VariableBegin => "'{{'",
        TokenKind.BlockBegin => "'{%'",
        TokenKind.String => $"string '{Value}'",
        _ => $"'{Value}'",
    };
}
