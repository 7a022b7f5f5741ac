namespace Rft.Text.Jinja.Syntax;

/// <summary><c>value[key]</c>: a dict item, list or string index (negative from the end), else the attribute.</summary>
internal sealed class ItemExpression(SourcePosition position, Expression target, Expression key) : Expression(position)
{
    protected override object? EvaluateCore(JinjaScope scope) => JinjaValues.Item(target.Evaluate(scope), key.Evaluate(scope));
}
