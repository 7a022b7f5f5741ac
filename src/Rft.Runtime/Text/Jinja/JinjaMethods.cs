using System.Globalization;

namespace Rft.Text.Jinja;

/// <summary>
/// The Python methods templates call on values: <c>str</c> (<c>startswith</c>, <c>split</c>, <c>strip</c>, ...),
/// <c>dict</c> (<c>items</c>, <c>get</c>, ...) and the non-mutating <c>list</c> ones. Methods that would change
/// a value are absent, as in transformers' immutable sandbox.
/// </summary>
internal static class JinjaMethods
{
    public static JinjaFunction? Bind(object? target, string name) => target switch
    {
        string s => StringMethod(s, name),
        OrderedDictionary<string, object?> dict => DictMethod(dict, name),
        List<object?> list => ListMethod(list, name),
        _ => null,
    };

    private static JinjaFunction Method(string name, Func<JinjaArguments, object?> body) => new(name, body);

    private static string? OptionalString(JinjaArguments a, int index, string name, string method)
    {
        var value = a.Get(index, name);
        return value switch
        {
            null or JinjaUndefined => null,
            string s => s,
            _ => throw new RenderError($"{method}() argument must be str or None, not {JinjaValues.TypeName(value)}"),
        };
    }

    private static string RequiredString(JinjaArguments a, int index, string name, string method)
    {
        if (!a.Has(index, name)) throw new RenderError($"{method}() is missing its argument '{name}'");
        return a.Get(index, name) as string ?? throw new RenderError($"{method}() argument '{name}' must be str, not {JinjaValues.TypeName(a.Get(index, name))}");
    }

    private static JinjaFunction? StringMethod(string s, string name)
    {
        switch (name)
        {
            case "startswith":
            case "endswith":
                return Method("str." + name, a =>
                {
                    a.Check("str." + name, "prefix");
                    var test = a.Get(0, "prefix");
                    var options = test switch
                    {
                        string one => [one],
                        List<object?> many when many.All(x => x is string) => many.Cast<string>().ToArray(),
                        _ => throw new RenderError($"{name} first arg must be str or a tuple of str, not {JinjaValues.TypeName(test)}"),
                    };
                    return options.Any(o => name == "startswith" ? s.StartsWith(o, StringComparison.Ordinal) : s.EndsWith(o, StringComparison.Ordinal));
                });
            case "strip":
            case "lstrip":
            case "rstrip":
                return Method("str." + name, a =>
                {
                    a.Check("str." + name, "chars");
                    return PythonText.Strip(s, OptionalString(a, 0, "chars", name), left: name != "rstrip", right: name != "lstrip");
                });
            case "split":
            case "rsplit":
                return Method("str." + name, a =>
                {
                    a.Check("str." + name, "sep", "maxsplit");
                    long max = a.Get(1, "maxsplit", -1L) is long m ? m : -1;
                    string? separator = OptionalString(a, 0, "sep", name);
                    if (name == "split" || max < 0) return PythonText.Split(s, separator, max);

                    // rsplit with a bound: split the reversed text, then restore order.
                    var reversed = PythonText.Split(new string(s.Reverse().ToArray()), separator is null ? null : new string(separator.Reverse().ToArray()), max);
                    return reversed.Select(p => (object?)new string(((string)p!).Reverse().ToArray())).Reverse().ToList();
                });
            case "splitlines":
                return Method("str.splitlines", _ => SplitLines(s));
            case "upper": return Method("str.upper", _ => s.ToUpperInvariant());
            case "lower": return Method("str.lower", _ => s.ToLowerInvariant());
            case "title": return Method("str.title", _ => Title(s));
            case "capitalize": return Method("str.capitalize", _ => Capitalize(s));
            case "replace":
                return Method("str.replace", a =>
                {
                    a.Check("str.replace", "old", "new", "count");
                    return Replace(s, RequiredString(a, 0, "old", "replace"), RequiredString(a, 1, "new", "replace"), a.Get(2, "count", -1L) is long c ? c : -1);
                });
            case "find":
            case "rfind":
            case "count":
                return Method("str." + name, a =>
                {
                    string sub = RequiredString(a, 0, "sub", name);
                    if (name == "count") return sub.Length == 0 ? PythonText.CodePointCount(s) + 1L : (long)CountOf(s, sub);
                    int at = name == "find" ? s.IndexOf(sub, StringComparison.Ordinal) : s.LastIndexOf(sub, StringComparison.Ordinal);
                    return at < 0 ? -1L : (long)PythonText.CodePointCount(s[..at]);
                });
            case "join":
                return Method("str.join", a =>
                {
                    var items = JinjaValues.Iterate(a.Get(0, "iterable"));
                    if (items.FirstOrDefault(x => x is not string) is { } bad)
                        throw new RenderError($"sequence item: expected str instance, {JinjaValues.TypeName(bad)} found");
                    return string.Join(s, items.Cast<string>());
                });
            case "isdigit": return Method("str.isdigit", _ => s.Length > 0 && s.All(char.IsDigit));
            case "isalpha": return Method("str.isalpha", _ => s.Length > 0 && s.All(char.IsLetter));
            case "isspace": return Method("str.isspace", _ => s.Length > 0 && s.All(PythonText.IsSpace));
            case "islower": return Method("str.islower", _ => s.Any(char.IsLetter) && s == s.ToLowerInvariant());
            case "isupper": return Method("str.isupper", _ => s.Any(char.IsLetter) && s == s.ToUpperInvariant());
            default: return null;
        }
    }

    private static JinjaFunction? DictMethod(OrderedDictionary<string, object?> dict, string name) => name switch
    {
        "items" => Method("dict.items", _ => dict.Select(e => (object?)new List<object?> { e.Key, e.Value }).ToList()),
        "keys" => Method("dict.keys", _ => dict.Keys.Cast<object?>().ToList()),
        "values" => Method("dict.values", _ => dict.Values.ToList()),
        "get" => Method("dict.get", a =>
        {
            a.Check("dict.get", "key", "default");
            return a.Get(0, "key") is string key && dict.TryGetValue(key, out var value) ? value : a.Get(1, "default");
        }),
        "copy" => Method("dict.copy", _ => new OrderedDictionary<string, object?>(dict)),
        _ => null,
    };

    private static JinjaFunction? ListMethod(List<object?> list, string name) => name switch
    {
        "index" => Method("list.index", a =>
        {
            int at = list.FindIndex(x => JinjaValues.Equal(x, a.Get(0, "value")));
            return at >= 0 ? (long)at : throw new RenderError($"{JinjaValues.Repr(a.Get(0, "value"))} is not in list");
        }),
        "count" => Method("list.count", a => (long)list.Count(x => JinjaValues.Equal(x, a.Get(0, "value")))),
        _ => null,
    };

    private static List<object?> SplitLines(string s)
    {
        var lines = new List<object?>();
        int start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] is not ('\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')) continue;
            lines.Add(s[start..i]);
            if (s[i] == '\r' && i + 1 < s.Length && s[i + 1] == '\n') i++;
            start = i + 1;
        }

        if (start < s.Length) lines.Add(s[start..]);
        return lines;
    }

    private static int CountOf(string s, string sub)
    {
        int count = 0;
        for (int at = s.IndexOf(sub, StringComparison.Ordinal); at >= 0; at = s.IndexOf(sub, at + sub.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>Python's <c>str.replace(old, new, count)</c>; an empty <paramref name="old"/> inserts between characters.</summary>
    public static string Replace(string s, string old, string replacement, long count)
    {
        if (count == 0) return s;
        if (old.Length == 0)
        {
            var points = PythonText.CodePoints(s);
            var parts = new List<string>();
            long done = 0;
            foreach (var p in points)
            {
                if (count < 0 || done < count) { parts.Add(replacement); done++; }
                parts.Add(p);
            }

            if (count < 0 || done < count) parts.Add(replacement);
            return string.Concat(parts);
        }

        if (count < 0) return s.Replace(old, replacement, StringComparison.Ordinal);
        var text = new System.Text.StringBuilder();
        int from = 0;
        for (long n = 0; n < count; n++)
        {
            int at = s.IndexOf(old, from, StringComparison.Ordinal);
            if (at < 0) break;
            text.Append(s, from, at - from).Append(replacement);
            from = at + old.Length;
        }

        return text.Append(s, from, s.Length - from).ToString();
    }

    /// <summary>Python's <c>str.title()</c>: each run of letters starts upper case, the rest lower case.</summary>
    public static string Title(string s)
    {
        var chars = s.ToCharArray();
        bool previousCased = false;
        for (int i = 0; i < chars.Length; i++)
        {
            char c = chars[i];
            chars[i] = previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c);
            previousCased = char.IsLetter(c);
        }

        return new string(chars);
    }

    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpper(s[0], CultureInfo.InvariantCulture) + s[1..].ToLowerInvariant();
}
