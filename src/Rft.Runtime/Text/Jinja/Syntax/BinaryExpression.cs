namespace Rft.Text.Jinja.Syntax;

/// <summary>Arithmetic (<c>+ - * / // % **</c>), concatenation (<c>~</c>) and the short-circuit <c>and</c>/<c>or</c>, which return an operand as Python's do.</summary>
internal sealed class BinaryExpression(SourcePosition position, string op, Expression left, Expression right) : Expression(position)
{
    protected override object? EvaluateCore(JinjaScope scope)
    {
        var l = left.Evaluate(scope);
        return op switch
        {
            "and" => JinjaValues.Truthy(l) ? right.Evaluate(scope) : l,
            "or" => JinjaValues.Truthy(l) ? l : right.Evaluate(scope),
            _ => JinjaValues.Binary(op, l, right.Evaluate(scope)),
        };
    }
}
