namespace Rft.Text.Jinja.Syntax;

/// <summary><c>a if test else b</c>; without <c>else</c> a false test gives undefined.</summary>
internal sealed class ConditionalExpression(SourcePosition position, Expression test, Expression whenTrue, Expression? whenFalse) : Expression(position)
{
    protected override object? EvaluateCore(JinjaScope scope) =>
        JinjaValues.Truthy(test.Evaluate(scope))
            ? whenTrue.Evaluate(scope)
            : whenFalse is null ? new JinjaUndefined("the conditional expression is false and has no else") : whenFalse.Evaluate(scope);
}
