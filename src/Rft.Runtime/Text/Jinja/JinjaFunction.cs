namespace Rft.Text.Jinja;

/// <summary>A callable value: a global such as <c>range</c>, a bound string or dict method, or a macro.</summary>
internal sealed class JinjaFunction(string name, Func<JinjaArguments, object?> invoke)
{
    public string Name { get; } = name;

    public object? Invoke(JinjaArguments arguments) => invoke(arguments);

    public override string ToString() => $"<function {Name}>";
}
