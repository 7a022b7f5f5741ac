using System.Globalization;

namespace Rft.Text.Jinja;

/// <summary>
/// The filters chat templates use, with Jinja2's semantics; <c>tojson</c> is transformers' replacement
/// (non-ASCII kept, no HTML escaping, optional <c>indent</c>, <c>separators</c>, <c>sort_keys</c>, <c>ensure_ascii</c>).
/// </summary>
internal static class JinjaFilters
{
    private delegate object? Filter(object? value, JinjaArguments arguments, JinjaScope scope);

    private static readonly Dictionary<string, Filter> Filters = new(StringComparer.Ordinal)
    {
        ["tojson"] = (v, a, _) =>
        {
            a.Check("tojson", "ensure_ascii", "indent", "separators", "sort_keys");
            (string, string)? separators = a.Get(2, "separators") switch
            {
                null or JinjaUndefined => null,
                List<object?> { Count: 2 } pair when pair.All(x => x is string) => ((string)pair[0]!, (string)pair[1]!),
                var other => throw new RenderError($"tojson: separators must be a pair of strings, not {JinjaValues.Repr(other)}"),
            };
            int? indent = a.Get(1, "indent") switch
            {
                null or JinjaUndefined => null,
                long n => (int)n,
                var other => throw new RenderError($"tojson: indent must be an integer or None, not {JinjaValues.Repr(other)}"),
            };
            return JinjaJson.Serialize(v, indent, JinjaValues.Truthy(a.Get(0, "ensure_ascii", false)), separators, JinjaValues.Truthy(a.Get(3, "sort_keys", false)));
        },
        ["trim"] = (v, a, _) => PythonText.Strip(Text(v), a.Get(0, "chars") as string),
        ["length"] = (v, _, _) => JinjaValues.Length(v),
        ["count"] = (v, _, _) => JinjaValues.Length(v),
        ["first"] = (v, _, _) => JinjaValues.Iterate(v) is { Count: > 0 } items ? items[0] : new JinjaUndefined("No first item, sequence was empty."),
        ["last"] = (v, _, _) => JinjaValues.Iterate(v) is { Count: > 0 } items ? items[^1] : new JinjaUndefined("No last item, sequence was empty."),
        ["join"] = (v, a, _) =>
        {
            var items = JinjaValues.Iterate(v);
            if (a.Get(1, "attribute") is string attribute) items = items.Select(x => JinjaValues.Attribute(x, attribute)).ToList();
            return string.Join(Text(a.Get(0, "d", string.Empty)), items.Select(JinjaValues.ToText));
        },
        ["upper"] = (v, _, _) => Text(v).ToUpperInvariant(),
        ["lower"] = (v, _, _) => Text(v).ToLowerInvariant(),
        ["title"] = (v, _, _) => JinjaMethods.Title(Text(v)),
        ["capitalize"] = (v, _, _) => JinjaMethods.Capitalize(Text(v)),
        ["replace"] = (v, a, _) => JinjaMethods.Replace(Text(v), Text(a.Get(0, "old")), Text(a.Get(1, "new")), a.Get(2, "count") is long c ? c : -1),
        ["default"] = Default,
        ["d"] = Default,
        ["items"] = (v, _, _) => v switch
        {
            JinjaUndefined => new List<object?>(),
            OrderedDictionary<string, object?> dict => dict.Select(e => (object?)new List<object?> { e.Key, e.Value }).ToList(),
            _ => throw new RenderError($"items: can only get item pairs from a mapping, not {JinjaValues.TypeName(v)}"),
        },
        ["string"] = (v, _, _) => JinjaValues.ToText(v),
        ["list"] = (v, _, _) => JinjaValues.Iterate(v).ToList(),
        ["reverse"] = (v, _, _) => v is string s ? string.Concat(PythonText.CodePoints(s).Reverse()) : Enumerable.Reverse(JinjaValues.Iterate(v)).ToList(),
        ["int"] = (v, a, _) => ToInt(v, a.Get(0, "default", 0L)),
        ["float"] = (v, a, _) => ToFloat(v, a.Get(0, "default", 0.0)),
        ["abs"] = (v, _, _) => v is double d ? Math.Abs(d) : Math.Abs(JinjaValues.ToLong(v)),
        ["round"] = (v, a, _) =>
        {
            double x = JinjaValues.ToDouble(v), scale = Math.Pow(10, a.Get(0, "precision", 0L) is long p ? p : 0);
            string method = a.Get(1, "method", "common") as string ?? "common";
            return method switch
            {
                "ceil" => Math.Ceiling(x * scale) / scale,
                "floor" => Math.Floor(x * scale) / scale,
                _ => Math.Round(x * scale, MidpointRounding.AwayFromZero) / scale,
            };
        },
        ["safe"] = (v, _, _) => v,
        ["indent"] = (v, a, _) =>
        {
            string pad = a.Get(0, "width", 4L) is string w ? w : new string(' ', (int)JinjaValues.ToLong(a.Get(0, "width", 4L)));
            bool first = JinjaValues.Truthy(a.Get(1, "first", false)), blank = JinjaValues.Truthy(a.Get(2, "blank", false));
            var lines = Text(v).Split('\n');
            return string.Join('\n', lines.Select((line, i) => (i == 0 && !first) || (line.Length == 0 && !blank) ? line : pad + line));
        },
        ["wordcount"] = (v, _, _) => (long)PythonText.Split(Text(v), null, -1).Count,
        ["unique"] = (v, _, _) =>
        {
            var kept = new List<object?>();
            foreach (var x in JinjaValues.Iterate(v))
            {
                if (!kept.Any(k => JinjaValues.Equal(k, x))) kept.Add(x);
            }

            return kept;
        },
        ["sort"] = (v, a, _) =>
        {
            string? attribute = a.Get(2, "attribute") as string;
            object? Key(object? x) => attribute is null ? x : JinjaValues.Attribute(x, attribute);
            var items = JinjaValues.Iterate(v).OrderBy(Key, Comparer<object?>.Create((x, y) => JinjaValues.Compare(x, y))).ToList();
            if (JinjaValues.Truthy(a.Get(0, "reverse", false))) items.Reverse();
            return items;
        },
        ["min"] = (v, _, _) => JinjaValues.Iterate(v).Aggregate((x, y) => JinjaValues.Compare(y, x) < 0 ? y : x),
        ["max"] = (v, _, _) => JinjaValues.Iterate(v).Aggregate((x, y) => JinjaValues.Compare(y, x) > 0 ? y : x),
        ["sum"] = (v, _, _) => JinjaValues.Iterate(v).Aggregate((object?)0L, (total, x) => JinjaValues.Binary("+", total, x)),
        ["map"] = Map,
        ["select"] = (v, a, s) => Select(v, a, s, keep: true, byAttribute: false),
        ["reject"] = (v, a, s) => Select(v, a, s, keep: false, byAttribute: false),
        ["selectattr"] = (v, a, s) => Select(v, a, s, keep: true, byAttribute: true),
        ["rejectattr"] = (v, a, s) => Select(v, a, s, keep: false, byAttribute: true),
        ["attr"] = (v, a, _) => JinjaValues.Attribute(v, Text(a.Get(0, "name"))),
    };

    public static bool Exists(string name) => Filters.ContainsKey(name);

    public static object? Apply(string name, object? value, JinjaArguments arguments, JinjaScope scope) => Filters[name](value, arguments, scope);

    /// <summary>Jinja2's <c>soft_str</c>: a string as is, anything else as Python's str() (undefined is an error here).</summary>
    private static string Text(object? value)
    {
        JinjaValues.ThrowIfUndefined(value);
        return JinjaValues.ToText(value);
    }

    private static object? Default(object? value, JinjaArguments a, JinjaScope scope)
    {
        bool boolean = JinjaValues.Truthy(a.Get(1, "boolean", false));
        return value is JinjaUndefined || (boolean && !JinjaValues.Truthy(value)) ? a.Get(0, "default_value", string.Empty) : value;
    }

    private static object? ToInt(object? value, object? fallback) => value switch
    {
        long or bool => JinjaValues.ToLong(value),
        double d => (long)Math.Truncate(d),
        string s when long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) => n,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => (long)Math.Truncate(d),
        _ => fallback,
    };

    private static object? ToFloat(object? value, object? fallback) => value switch
    {
        long or bool or double => JinjaValues.ToDouble(value),
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
        _ => fallback,
    };

    /// <summary><c>map(attribute='x', default=...)</c> or <c>map('filter', args...)</c>.</summary>
    private static object? Map(object? value, JinjaArguments a, JinjaScope scope)
    {
        var items = JinjaValues.Iterate(value);
        if (a.Keywords.TryGetValue("attribute", out var attribute))
        {
            string name = Text(attribute);
            bool hasDefault = a.Keywords.TryGetValue("default", out var fallback);
            return items.Select(x => JinjaValues.Attribute(x, name) is var found && found is JinjaUndefined && hasDefault ? fallback : found).ToList();
        }

        if (a.Positional.Count == 0 || a.Positional[0] is not string filter) throw new RenderError("map: name a filter, map('upper'), or an attribute, map(attribute='name')");
        if (!Exists(filter)) throw new RenderError($"map: no filter named '{filter}'");
        var rest = new JinjaArguments(a.Positional.Skip(1).ToList(), a.Keywords);
        return items.Select(x => Apply(filter, x, rest, scope)).ToList();
    }

    /// <summary><c>select('test', args...)</c>, <c>reject</c>, and <c>selectattr('attr', 'test', args...)</c>, <c>rejectattr</c>.</summary>
    private static object? Select(object? value, JinjaArguments a, JinjaScope scope, bool keep, bool byAttribute)
    {
        int at = byAttribute ? 1 : 0;
        string? attribute = byAttribute ? a.Get(0, "attribute") as string ?? throw new RenderError("selectattr/rejectattr need an attribute name") : null;
        string? test = a.Positional.Count > at ? a.Positional[at] as string ?? throw new RenderError("the test must be named by a string") : null;
        if (test is not null && !JinjaTests.Exists(test)) throw new RenderError($"no test named '{test}'");
        var testArguments = new JinjaArguments(a.Positional.Skip(at + 1).ToList(), new Dictionary<string, object?>());
        return JinjaValues.Iterate(value).Where(item =>
        {
            var subject = attribute is null ? item : JinjaValues.Attribute(item, attribute);
            bool passes = test is null ? JinjaValues.Truthy(subject) : JinjaTests.Apply(test, subject, testArguments);
            return passes == keep;
        }).ToList();
    }
}
