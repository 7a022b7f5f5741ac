namespace Rft.Text.Jinja;

/// <summary>
/// Variables visible at one point of a render. Scopes nest as Jinja2's do: the template's top level, each
/// iteration of a for loop and each macro call get their own, so a <c>set</c> inside a loop body does not
/// outlive its iteration; <c>if</c> blocks share their enclosing scope.
/// </summary>
internal sealed class JinjaScope
{
    private readonly Dictionary<string, object?> _variables = new(StringComparer.Ordinal);

    public JinjaScope(string templateName, JinjaScope? parent = null)
    {
        TemplateName = templateName;
        Parent = parent;
    }

    public string TemplateName { get; }

    public JinjaScope? Parent { get; }

    public JinjaScope Child() => new(TemplateName, this);

    public void Set(string name, object? value) => _variables[name] = value;

    /// <summary>The variable's value, or an undefined value that names it.</summary>
    public object? Get(string name)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._variables.TryGetValue(name, out var value)) return value;
        }

        return new JinjaUndefined($"'{name}' is undefined");
    }
}
