namespace Rft.Text.Jinja.Syntax;

/// <summary>A variable: <c>messages</c>, <c>loop</c>, <c>ns</c>.</summary>
internal sealed class NameExpression(SourcePosition position, string name) : Expression(position)
{
    public string Name { get; } = name;

    protected override object? EvaluateCore(JinjaScope scope) => scope.Get(Name);
}
