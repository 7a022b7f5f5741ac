namespace Rft.Text.Jinja.Syntax;

/// <summary><c>value is [not] name(arguments)</c>.</summary>
internal sealed class TestExpression(SourcePosition position, Expression operand, string name, CallArguments arguments, bool negated) : Expression(position)
{
    protected override object? EvaluateCore(JinjaScope scope) =>
        JinjaTests.Apply(name, operand.Evaluate(scope), arguments.Evaluate(scope)) != negated;
}
