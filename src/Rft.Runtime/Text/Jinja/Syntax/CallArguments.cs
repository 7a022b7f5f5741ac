namespace Rft.Text.Jinja.Syntax;

/// <summary>The argument expressions of a call, filter or test: positional, then <c>name=value</c>.</summary>
internal sealed class CallArguments(IReadOnlyList<Expression> positional, IReadOnlyList<(string Name, Expression Value)> keywords)
{
    public static CallArguments None { get; } = new([], []);

    public JinjaArguments Evaluate(JinjaScope scope)
    {
        if (positional.Count == 0 && keywords.Count == 0) return JinjaArguments.Empty;
        var values = positional.Select(p => p.Evaluate(scope)).ToList();
        var named = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in keywords) named[name] = value.Evaluate(scope);
        return new JinjaArguments(values, named);
    }
}
