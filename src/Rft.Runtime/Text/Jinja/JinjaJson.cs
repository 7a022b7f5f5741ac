using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rft.Text.Jinja;

/// <summary>
/// Between System.Text.Json nodes and template values, and the <c>tojson</c> filter as transformers defines it:
/// Python's <c>json.dumps(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False)</c>.
/// </summary>
internal static class JinjaJson
{
    /// <summary>
    /// A JSON node as a template value: objects keep their key order, integers stay ints and numbers written with a
    /// fraction or exponent are floats (as Python's json.loads reads them), JSON null is None.
    /// </summary>
    public static object? FromNode(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
                var dict = new OrderedDictionary<string, object?>(obj.Count, StringComparer.Ordinal);
                foreach (var (key, value) in obj) dict[key] = FromNode(value);
                return dict;
            case JsonArray array:
                return array.Select(FromNode).ToList();
            case JsonValue value:
                return FromValue(value);
            default:
                throw new ArgumentException($"Unsupported JSON node {node.GetType().Name}.");
        }
    }

    private static object? FromValue(JsonValue value)
    {
        if (value.TryGetValue(out JsonElement element)) return FromElement(element);

        // A value built from a CLR object: integers stay ints, other numbers are floats.
        var boxed = value.GetValue<object>();
        return boxed switch
        {
            string or bool => boxed,
            byte or sbyte or short or ushort or int or uint or long => Convert.ToInt64(boxed, CultureInfo.InvariantCulture),
            ulong u => u <= long.MaxValue ? (long)u : (double)u,
            float or double or decimal => Convert.ToDouble(boxed, CultureInfo.InvariantCulture),
            char c => c.ToString(),
            _ => FromNode(JsonSerializer.SerializeToNode(boxed)),
        };
    }

    private static object? FromElement(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String: return element.GetString();
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Null: return null;
            case JsonValueKind.Number:
                string raw = element.GetRawText();
                bool integral = !raw.AsSpan().ContainsAny('.', 'e', 'E');
                if (integral && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole)) return whole;
                return double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
            default:
                return FromNode(JsonNode.Parse(element.GetRawText()));
        }
    }

    /// <summary>Python's json.dumps of a template value.</summary>
    /// <param name="indent">Spaces per level; null writes one line.</param>
    /// <param name="separators">Item and key separators; by default <c>", "</c> and <c>": "</c> (<c>","</c> between items when indenting).</param>
    public static string Serialize(object? value, int? indent = null, bool ensureAscii = false, (string Item, string Key)? separators = null, bool sortKeys = false)
    {
        var (item, key) = separators ?? (indent is null ? (", ", ": ") : (",", ": "));
        var text = new StringBuilder();
        Write(text, value, indent, ensureAscii, item, key, sortKeys, 0);
        return text.ToString();
    }

    private static void Write(StringBuilder text, object? value, int? indent, bool ascii, string item, string key, bool sort, int depth)
    {
        switch (value)
        {
            case null: text.Append("null"); return;
            case bool b: text.Append(b ? "true" : "false"); return;
            case long l: text.Append(l.ToString(CultureInfo.InvariantCulture)); return;
            case double d:
                text.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PythonText.FloatRepr(d));
                return;
            case string s: WriteString(text, s, ascii); return;
            case List<object?> list:
                WriteContainer(text, '[', ']', list.Count, indent, item, depth, i => Write(text, list[i], indent, ascii, item, key, sort, depth + 1));
                return;
            case OrderedDictionary<string, object?> dict:
                var entries = sort ? dict.OrderBy(e => e.Key, StringComparer.Ordinal).ToList() : dict.ToList();
                WriteContainer(text, '{', '}', entries.Count, indent, item, depth, i =>
                {
                    WriteString(text, entries[i].Key, ascii);
                    text.Append(key);
                    Write(text, entries[i].Value, indent, ascii, item, key, sort, depth + 1);
                });
                return;
            case JinjaNamespace ns:
                Write(text, new OrderedDictionary<string, object?>(ns.Attributes), indent, ascii, item, key, sort, depth);
                return;
            default:
                throw new RenderError($"Object of type {JinjaValues.TypeName(value)} is not JSON serializable");
        }
    }

    private static void WriteContainer(StringBuilder text, char open, char close, int count, int? indent, string item, int depth, Action<int> writeItem)
    {
        text.Append(open);
        if (count == 0)
        {
            text.Append(close);
            return;
        }

        string? inner = indent is int n ? "\n" + new string(' ', n * (depth + 1)) : null;
        for (int i = 0; i < count; i++)
        {
            if (i > 0) text.Append(item);
            if (inner is not null) text.Append(inner);
            writeItem(i);
        }

        if (indent is int m) text.Append('\n').Append(' ', m * depth);
        text.Append(close);
    }

    /// <summary>A JSON string as Python writes it: short escapes for \" \\ \n \r \t \b \f, \u00XX for other controls, and with ensure_ascii every non-ASCII unit as \uXXXX.</summary>
    private static void WriteString(StringBuilder text, string s, bool ascii)
    {
        text.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < ' ' || (ascii && c > '~')) text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else text.Append(c);
                    break;
            }
        }

        text.Append('"');
    }
}
