namespace Rft.Text.Jinja.Syntax;

/// <summary>A dict literal <c>{'key': value}</c>.</summary>
internal sealed class DictExpression(SourcePosition position, IReadOnlyList<(Expression Key, Expression Value)> entries) : Expression(position)
{
    protected override object? EvaluateCore(JinjaScope scope)
    {
        var dict = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            var k = key.Evaluate(scope);
            dict[k as string ?? throw new RenderError($"dict keys in a template must be strings, not {JinjaValues.TypeName(k)}")] = value.Evaluate(scope);
        }

        return dict;
    }
}
