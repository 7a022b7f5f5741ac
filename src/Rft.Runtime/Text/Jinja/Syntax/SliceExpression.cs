namespace Rft.Text.Jinja.Syntax;

/// <summary><c>value[start:stop:step]</c> with Python's slice rules, e.g. <c>messages[::-1]</c>.</summary>
internal sealed class SliceExpression(SourcePosition position, Expression target, Expression? start, Expression? stop, Expression? step) : Expression(position)
{
    protected override object? EvaluateCore(JinjaScope scope) =>
        JinjaValues.Slice(target.Evaluate(scope), start?.Evaluate(scope), stop?.Evaluate(scope), step?.Evaluate(scope));
}
