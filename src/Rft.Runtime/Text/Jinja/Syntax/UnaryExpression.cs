namespace Rft.Text.Jinja.Syntax;

/// <summary><c>not x</c>, <c>-x</c>, <c>+x</c>.</summary>
internal sealed class UnaryExpression(SourcePosition position, string op, Expression operand) : Expression(position)
{
    protected override object? EvaluateCore(JinjaScope scope)
    {
        var value = operand.Evaluate(scope);
        if (op == "not") return !JinjaValues.Truthy(value);
        JinjaValues.ThrowIfUndefined(value);
        return (op, value) switch
        {
            ("-", double d) => -d,
            ("-", long or bool) => -JinjaValues.ToLong(value),
            ("+", double or long) => value,
            ("+", bool) => JinjaValues.ToLong(value),
            _ => throw new RenderError($"bad operand type for unary {op}: '{JinjaValues.TypeName(value)}'"),
        };
    }
}
