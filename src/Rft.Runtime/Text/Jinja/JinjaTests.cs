namespace Rft.Text.Jinja;

/// <summary>Jinja2's tests, as in <c>value is defined</c>, <c>value is not none</c>, <c>value is divisibleby 3</c>.</summary>
internal static class JinjaTests
{
    private static readonly Dictionary<string, Func<object?, JinjaArguments, bool>> Tests = new(StringComparer.Ordinal)
    {
        ["defined"] = (v, _) => v is not JinjaUndefined,
        ["undefined"] = (v, _) => v is JinjaUndefined,
        ["none"] = (v, _) => v is null,
        ["boolean"] = (v, _) => v is bool,
        ["true"] = (v, _) => v is true,
        ["false"] = (v, _) => v is false,
        ["string"] = (v, _) => v is string,
        ["number"] = (v, _) => v is long or double,
        ["integer"] = (v, _) => v is long,
        ["float"] = (v, _) => v is double,
        ["mapping"] = (v, _) => v is OrderedDictionary<string, object?>,
        ["sequence"] = (v, _) => v is string or List<object?> or OrderedDictionary<string, object?>,
        ["iterable"] = (v, _) => v is string or List<object?> or OrderedDictionary<string, object?>,
        ["callable"] = (v, _) => v is JinjaFunction,
        ["odd"] = (v, _) => JinjaValues.ToLong(v) % 2 != 0,
        ["even"] = (v, _) => JinjaValues.ToLong(v) % 2 == 0,
        ["divisibleby"] = (v, a) => JinjaValues.ToLong(v) % JinjaValues.ToLong(a.Get(0, "num")) == 0,
        ["lower"] = (v, _) => v is string s && s == s.ToLowerInvariant(),
        ["upper"] = (v, _) => v is string s && s == s.ToUpperInvariant(),
        ["eq"] = (v, a) => JinjaValues.Equal(v, a.Get(0, "other")),
        ["equalto"] = (v, a) => JinjaValues.Equal(v, a.Get(0, "other")),
        ["=="] = (v, a) => JinjaValues.Equal(v, a.Get(0, "other")),
        ["ne"] = (v, a) => !JinjaValues.Equal(v, a.Get(0, "other")),
        ["!="] = (v, a) => !JinjaValues.Equal(v, a.Get(0, "other")),
        ["lt"] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other"), "<") < 0,
        ["lessthan"] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other"), "<") < 0,
        ["<"] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other"), "<") < 0,
        ["le"] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other"), "<=") <= 0,
        ["<="] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other"), "<=") <= 0,
        ["gt"] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other"), ">") > 0,
        ["greaterthan"] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other"), ">") > 0,
        [">"] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other"), ">") > 0,
        ["ge"] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other"), ">=") >= 0,
        [">="] = (v, a) => JinjaValues.Compare(v, a.Get(0, "other"), ">=") >= 0,
        ["in"] = (v, a) => JinjaValues.Contains(a.Get(0, "seq"), v),
        ["sameas"] = (v, a) => v is null or bool ? Equals(v, a.Get(0, "other")) : ReferenceEquals(v, a.Get(0, "other")),
    };

    public static bool Exists(string name) => Tests.ContainsKey(name);

    public static IEnumerable<string> Names => Tests.Keys;

    public static bool Apply(string name, object? value, JinjaArguments arguments) => Tests[name](value, arguments);
}
