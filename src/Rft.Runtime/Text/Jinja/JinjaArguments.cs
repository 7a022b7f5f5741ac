namespace Rft.Text.Jinja;

/// <summary>The evaluated arguments of a call, filter or test: positional values, then keyword values.</summary>
internal sealed class JinjaArguments(IReadOnlyList<object?> positional, IReadOnlyDictionary<string, object?> keywords)
{
    public static JinjaArguments Empty { get; } = new([], new Dictionary<string, object?>());

    public IReadOnlyList<object?> Positional { get; } = positional;

    public IReadOnlyDictionary<string, object?> Keywords { get; } = keywords;

    /// <summary>The argument at <paramref name="index"/> or named <paramref name="name"/>, else <paramref name="fallback"/>.</summary>
    public object? Get(int index, string name, object? fallback = null) =>
        index < Positional.Count ? Positional[index] : Keywords.TryGetValue(name, out var value) ? value : fallback;

    public bool Has(int index, string name) => index < Positional.Count || Keywords.ContainsKey(name);

    /// <summary>Rejects more positional arguments or other keywords than <paramref name="names"/> allows.</summary>
    public void Check(string callee, params string[] names)
    {
        if (Positional.Count > names.Length)
            throw new RenderError($"{callee} takes at most {names.Length} argument{(names.Length == 1 ? "" : "s")} ({Positional.Count} given)");
        foreach (var key in Keywords.Keys)
        {
            if (!names.Contains(key, StringComparer.Ordinal))
                throw new RenderError($"{callee} got an unexpected keyword argument '{key}'" + (names.Length == 0 ? "" : $"; it takes {string.Join(", ", names)}"));
        }
    }
}
