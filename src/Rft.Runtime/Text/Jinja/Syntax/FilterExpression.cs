namespace Rft.Text.Jinja.Syntax;

/// <summary><c>value | name(arguments)</c>.</summary>
internal sealed class FilterExpression(SourcePosition position, Expression operand, string name, CallArguments arguments) : Expression(position)
{
    protected override object? EvaluateCore(JinjaScope scope) =>
        JinjaFilters.Apply(name, operand.Evaluate(scope), arguments.Evaluate(scope), scope);
}
