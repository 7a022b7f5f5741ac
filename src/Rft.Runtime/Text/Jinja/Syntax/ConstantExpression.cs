namespace Rft.Text.Jinja.Syntax;

/// <summary>A literal: a string, number, true/false or none.</summary>
internal sealed class ConstantExpression(SourcePosition position, object? value) : Expression(position)
{
    public object? Value { get; } = value;

    protected override object? EvaluateCore(JinjaScope scope) => Value;
}
