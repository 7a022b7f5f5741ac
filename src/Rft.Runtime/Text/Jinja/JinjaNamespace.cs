namespace Rft.Text.Jinja;

/// <summary>The object <c>namespace(...)</c> returns: the one value a template may change from inside a loop (<c>set ns.x = ...</c>).</summary>
internal sealed class JinjaNamespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}
