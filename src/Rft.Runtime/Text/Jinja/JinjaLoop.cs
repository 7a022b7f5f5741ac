namespace Rft.Text.Jinja;

/// <summary>The <c>loop</c> variable of a for loop at one iteration.</summary>
internal sealed class JinjaLoop(IReadOnlyList<object?> items, int index)
{
    public object? Attribute(string name) => name switch
    {
        "index" => (long)index + 1,
        "index0" => (long)index,
        "revindex" => (long)(items.Count - index),
        "revindex0" => (long)(items.Count - index - 1),
        "first" => index == 0,
        "last" => index == items.Count - 1,
        "length" => (long)items.Count,
        "depth" => 1L,
        "depth0" => 0L,
        "previtem" => index > 0 ? items[index - 1] : new JinjaUndefined("there is no previous item"),
        "nextitem" => index < items.Count - 1 ? items[index + 1] : new JinjaUndefined("there is no next item"),
        "cycle" => new JinjaFunction("loop.cycle", arguments =>
        {
            if (arguments.Positional.Count == 0) throw new RenderError("loop.cycle() needs at least one value");
            return arguments.Positional[index % arguments.Positional.Count];
        }),
        _ => new JinjaUndefined($"'loop' has no attribute '{name}'"),
    };
}
