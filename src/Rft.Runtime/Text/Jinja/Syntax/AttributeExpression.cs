namespace Rft.Text.Jinja.Syntax;

/// <summary><c>value.name</c>: an attribute or method, else the dict item of that name.</summary>
internal sealed class AttributeExpression(SourcePosition position, Expression target, string name) : Expression(position)
{
    public Expression Target { get; } = target;

    public string Name { get; } = name;

    protected override object? EvaluateCore(JinjaScope scope) => JinjaValues.Attribute(Target.Evaluate(scope), Name);
}
