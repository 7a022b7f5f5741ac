using System.Globalization;
using System.Text;

namespace Rft.Text.Jinja;

/// <summary>
/// Python's semantics for the values a template computes with: <see langword="null"/> (None), <see cref="bool"/>,
/// <see cref="long"/> (int), <see cref="double"/> (float), <see cref="string"/>, <see cref="List{T}"/> (list),
/// <see cref="OrderedDictionary{TKey, TValue}"/> (dict), <see cref="JinjaUndefined"/>, namespaces, loops and functions.
/// Errors are Python's (TypeError, UndefinedError) in words.
/// </summary>
internal static class JinjaValues
{
    public static bool IsUndefined(object? value) => value is JinjaUndefined;

    /// <summary>Python's truth value.</summary>
    public static bool Truthy(object? value) => value switch
    {
        null or JinjaUndefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> list => list.Count > 0,
        OrderedDictionary<string, object?> dict => dict.Count > 0,
        _ => true,
    };

    /// <summary>Python's type name, for error messages.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        OrderedDictionary<string, object?> => "dict",
        JinjaUndefined => "Undefined",
        JinjaNamespace => "Namespace",
        JinjaLoop => "LoopContext",
        JinjaFunction => "function",
        _ => value.GetType().Name,
    };

    /// <summary>Python's <c>str()</c>: what <c>{{ value }}</c> prints (undefined prints nothing).</summary>
    public static string ToText(object? value) => value switch
    {
        string s => s,
        JinjaUndefined => string.Empty,
        _ => Repr(value),
    };

    /// <summary>Python's <c>repr()</c>: strings quoted, as inside a printed list or dict.</summary>
    public static string Repr(object? value)
    {
        switch (value)
        {
            case null: return "None";
            case bool b: return b ? "True" : "False";
            case long l: return l.ToString(CultureInfo.InvariantCulture);
            case double d: return PythonText.FloatRepr(d);
            case string s: return PythonText.StringRepr(s);
            case JinjaUndefined: return string.Empty;
            case List<object?> list: return "[" + string.Join(", ", list.Select(Repr)) + "]";
            case OrderedDictionary<string, object?> dict:
                return "{" + string.Join(", ", dict.Select(e => PythonText.StringRepr(e.Key) + ": " + Repr(e.Value))) + "}";
            case JinjaNamespace ns:
                return "<Namespace " + Repr(new OrderedDictionary<string, object?>(ns.Attributes)) + ">";
            default: return value.ToString() ?? string.Empty;
        }
    }

    /// <summary>Python's <c>==</c>: numbers by value (True == 1), containers by contents, undefined equals only undefined.</summary>
    public static bool Equal(object? a, object? b)
    {
        if (a is JinjaUndefined || b is JinjaUndefined) return a is JinjaUndefined && b is JinjaUndefined;
        if (a is null || b is null) return a is null && b is null;
        if (IsNumber(a) && IsNumber(b))
        {
            return a is double || b is double ? ToDouble(a) == ToDouble(b) : ToLong(a) == ToLong(b);
        }

        return (a, b) switch
        {
            (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
            (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => Equal(p.First, p.Second)),
            (OrderedDictionary<string, object?> x, OrderedDictionary<string, object?> y) =>
                x.Count == y.Count && x.All(e => y.TryGetValue(e.Key, out var v) && Equal(e.Value, v)),
            _ => ReferenceEquals(a, b),
        };
    }

    /// <summary>Python's ordering for <c>&lt;</c>, <c>&gt;</c> and sorting: numbers, strings by code point, lists element by element.</summary>
    public static int Compare(object? a, object? b, string op = "<")
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return a is double || b is double ? ToDouble(a).CompareTo(ToDouble(b)) : ToLong(a).CompareTo(ToLong(b));
        }

        switch (a, b)
        {
            case (string x, string y):
                return string.CompareOrdinal(x, y);
            case (List<object?> x, List<object?> y):
                for (int i = 0; i < Math.Min(x.Count, y.Count); i++)
                {
                    if (!Equal(x[i], y[i])) return Compare(x[i], y[i], op);
                }

                return x.Count.CompareTo(y.Count);
        }

        ThrowIfUndefined(a);
        ThrowIfUndefined(b);
        throw new RenderError($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    public static bool IsNumber(object? value) => value is long or double or bool;

    public static long ToLong(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        double d => (long)d,
        _ => throw new RenderError($"expected a number, got {TypeName(value)}"),
    };

    public static double ToDouble(object? value) => value switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new RenderError($"expected a number, got {TypeName(value)}"),
    };

    /// <summary>Fails with Jinja2's UndefinedError when <paramref name="value"/> is undefined.</summary>
    public static void ThrowIfUndefined(object? value)
    {
        if (value is JinjaUndefined undefined) throw new RenderError(undefined.Description);
    }

    /// <summary>The arithmetic and concatenation operators: + - * / // % ** and ~.</summary>
    public static object? Binary(string op, object? a, object? b)
    {
        if (op == "~") return ToText(a) + ToText(b);
        ThrowIfUndefined(a);
        ThrowIfUndefined(b);
        if (IsNumber(a) && IsNumber(b)) return Arithmetic(op, a!, b!);
        switch (op, a, b)
        {
            case ("+", string x, string y): return x + y;
            case ("+", List<object?> x, List<object?> y): return new List<object?>([.. x, .. y]);
            case ("*", string s, long or bool): return Repeat(s, ToLong(b));
            case ("*", long or bool, string s): return Repeat(s, ToLong(a));
            case ("*", List<object?> list, long or bool): return Enumerable.Repeat(list, (int)Math.Max(0, ToLong(b))).SelectMany(x => x).ToList();
        }

        if (op == "+" && a is string) throw new RenderError($"can only concatenate str (not \"{TypeName(b)}\") to str");
        if (op == "+" && a is List<object?>) throw new RenderError($"can only concatenate list (not \"{TypeName(b)}\") to list");
        throw new RenderError($"unsupported operand type(s) for {op}: '{TypeName(a)}' and '{TypeName(b)}'");
    }

    private static string Repeat(string s, long count) => count <= 0 ? string.Empty : new StringBuilder().Insert(0, s, (int)count).ToString();

    private static object Arithmetic(string op, object a, object b)
    {
        bool floats = a is double || b is double;
        if (op == "/")
        {
            double divisor = ToDouble(b);
            if (divisor == 0) throw new RenderError("division by zero");
            return ToDouble(a) / divisor;
        }

        if (op == "**")
        {
            if (!floats && ToLong(b) >= 0) return (long)Math.Pow(ToLong(a), ToLong(b));
            return Math.Pow(ToDouble(a), ToDouble(b));
        }

        if (floats)
        {
            double x = ToDouble(a), y = ToDouble(b);
            if (op is "//" or "%" && y == 0) throw new RenderError("float division by zero");
            return op switch
            {
                "+" => x + y,
                "-" => x - y,
                "*" => x * y,
                "//" => Math.Floor(x / y),
                "%" => x - y * Math.Floor(x / y),
                _ => throw new RenderError($"unknown operator {op}"),
            };
        }

        long m = ToLong(a), n = ToLong(b);
        if (op is "//" or "%" && n == 0) throw new RenderError("integer division or modulo by zero");
        return op switch
        {
            "+" => m + n,
            "-" => m - n,
            "*" => m * n,
            "//" => m / n - (m % n != 0 && (m < 0) != (n < 0) ? 1 : 0),
            "%" => ((m % n) + n) % n,
            _ => throw new RenderError($"unknown operator {op}"),
        };
    }

    /// <summary>Python's <c>in</c>: a substring, a list element, a dict key; nothing is in undefined.</summary>
    public static bool Contains(object? container, object? item)
    {
        switch (container)
        {
            case JinjaUndefined:
                return false;
            case string s:
                if (item is not string sub) throw new RenderError($"'in <string>' requires string as left operand, not {TypeName(item)}");
                return s.Contains(sub, StringComparison.Ordinal);
            case List<object?> list:
                return list.Any(x => Equal(x, item));
            case OrderedDictionary<string, object?> dict:
                return item is string key && dict.ContainsKey(key);
            default:
                throw new RenderError($"argument of type '{TypeName(container)}' is not iterable");
        }
    }

    /// <summary>Python's <c>len()</c>; undefined has length 0.</summary>
    public static long Length(object? value) => value switch
    {
        string s => PythonText.CodePointCount(s),
        List<object?> list => list.Count,
        OrderedDictionary<string, object?> dict => dict.Count,
        JinjaUndefined => 0,
        _ => throw new RenderError($"object of type '{TypeName(value)}' has no len()"),
    };

    /// <summary>What a for loop walks: list items, dict keys, string characters; undefined is empty.</summary>
    public static List<object?> Iterate(object? value) => value switch
    {
        List<object?> list => list,
        OrderedDictionary<string, object?> dict => dict.Keys.Cast<object?>().ToList(),
        string s => PythonText.CodePoints(s).Cast<object?>().ToList(),
        JinjaUndefined => [],
        _ => throw new RenderError($"'{TypeName(value)}' object is not iterable"),
    };

    /// <summary>
    /// <c>value.name</c> as Jinja2 resolves it: a Python attribute first (string and dict methods, namespace and loop
    /// attributes), then the dict item of that name; undefined when neither exists.
    /// </summary>
    public static object? Attribute(object? value, string name)
    {
        ThrowIfUndefined(value);
        switch (value)
        {
            case JinjaNamespace ns:
                return ns.Attributes.TryGetValue(name, out var attribute) ? attribute : Missing(value, name);
            case JinjaLoop loop:
                return loop.Attribute(name);
        }

        if (JinjaMethods.Bind(value, name) is { } method) return method;
        if (value is OrderedDictionary<string, object?> dict && dict.TryGetValue(name, out var item)) return item;
        return Missing(value, name);
    }

    /// <summary><c>value[key]</c> as Jinja2 resolves it: the item first (negative list indexes count from the end), then the attribute.</summary>
    public static object? Item(object? value, object? key)
    {
        ThrowIfUndefined(value);
        switch (value, key)
        {
            case (OrderedDictionary<string, object?> dict, string name):
                if (dict.TryGetValue(name, out var item)) return item;
                break;
            case (List<object?> list, long or bool):
                long i = ToLong(key);
                if (i < 0) i += list.Count;
                return i >= 0 && i < list.Count ? list[(int)i] : new JinjaUndefined($"list index {ToLong(key)} is out of range");
            case (string s, long or bool):
                var points = PythonText.CodePoints(s);
                long j = ToLong(key);
                if (j < 0) j += points.Length;
                return j >= 0 && j < points.Length ? points[j] : new JinjaUndefined($"string index {ToLong(key)} is out of range");
        }

        return key is string attributeName ? Attribute(value, attributeName) : Missing(value, Repr(key));
    }

    private static JinjaUndefined Missing(object? owner, string name) =>
        new(owner is OrderedDictionary<string, object?> ? $"'dict object' has no attribute '{name}'" : $"'{TypeName(owner)} object' has no attribute '{name}'");

    /// <summary>Python's slice <c>value[start:stop:step]</c> of a list or string (by code point).</summary>
    public static object? Slice(object? value, object? start, object? stop, object? step)
    {
        ThrowIfUndefined(value);
        long? Bound(object? bound, string what) => bound switch
        {
            null or JinjaUndefined => null,
            long or bool => ToLong(bound),
            _ => throw new RenderError($"slice {what} must be an integer or None, not {TypeName(bound)}"),
        };

        long stride = Bound(step, "step") ?? 1;
        if (stride == 0) throw new RenderError("slice step cannot be zero");
        IReadOnlyList<object?> items = value switch
        {
            List<object?> list => list,
            string s => PythonText.CodePoints(s),
            _ => throw new RenderError($"'{TypeName(value)}' object is not subscriptable"),
        };

        int count = items.Count;
        long Clamp(long? bound, long whenNull)
        {
            if (bound is not long b) return whenNull;
            if (b < 0) b += count;
            return stride > 0 ? Math.Clamp(b, 0, count) : Math.Clamp(b, -1, count - 1);
        }

        long from = Clamp(Bound(start, "start"), stride > 0 ? 0 : count - 1);
        long to = Clamp(Bound(stop, "stop"), stride > 0 ? count : -1);
        var picked = new List<object?>();
        for (long i = from; stride > 0 ? i < to : i > to; i += stride) picked.Add(items[(int)i]);
        return value is string ? string.Concat(picked.Cast<string>()) : picked;
    }
}
