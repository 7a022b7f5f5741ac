using System.Globalization;
using System.Text;

namespace Rft.Text.Jinja;

/// <summary>
/// The functions every chat template can call: Jinja2's <c>range</c>, <c>namespace</c> and <c>dict</c>, and
/// transformers' <c>raise_exception(message)</c> and <c>strftime_now(format)</c>.
/// </summary>
internal static class JinjaGlobals
{
    public static void AddTo(JinjaScope scope, Func<DateTime> now)
    {
        scope.Set("range", new JinjaFunction("range", Range));
        scope.Set("namespace", new JinjaFunction("namespace", Namespace));
        scope.Set("dict", new JinjaFunction("dict", a =>
        {
            var dict = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (key, value) in a.Keywords) dict[key] = value;
            return dict;
        }));
        scope.Set("raise_exception", new JinjaFunction("raise_exception", a =>
            throw new RenderError(JinjaValues.ToText(a.Get(0, "message")), raisedByTemplate: true)));
        scope.Set("strftime_now", new JinjaFunction("strftime_now", a =>
            Strftime(now(), a.Get(0, "format") as string ?? throw new RenderError("strftime_now(format) needs a format string"))));
    }

    private static object? Range(JinjaArguments a)
    {
        a.Check("range", "start", "stop", "step");
        var bounds = a.Positional.Select(JinjaValues.ToLong).ToArray();
        var (start, stop, step) = bounds.Length switch
        {
            1 => (0L, bounds[0], 1L),
            2 => (bounds[0], bounds[1], 1L),
            3 => (bounds[0], bounds[1], bounds[2]),
            _ => throw new RenderError("range expected 1 to 3 integer arguments"),
        };
        if (step == 0) throw new RenderError("range() arg 3 must not be zero");
        var values = new List<object?>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            if (values.Count >= 100_000) throw new RenderError("range() is limited to 100,000 items in a template");
            values.Add(i);
        }

        return values;
    }

    private static object? Namespace(JinjaArguments a)
    {
        var ns = new JinjaNamespace();
        if (a.Positional.Count > 1) throw new RenderError($"namespace expected at most 1 argument, got {a.Positional.Count}");
        if (a.Positional.Count == 1)
        {
            if (a.Positional[0] is not OrderedDictionary<string, object?> initial)
                throw new RenderError($"namespace() takes a dict, not {JinjaValues.TypeName(a.Positional[0])}");
            foreach (var (key, value) in initial) ns.Attributes[key] = value;
        }

        foreach (var (key, value) in a.Keywords) ns.Attributes[key] = value;
        return ns;
    }

    /// <summary>Python's <c>datetime.strftime</c> for the directives templates use (C locale).</summary>
    public static string Strftime(DateTime time, string format)
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                text.Append(format[i]);
                continue;
            }

            char code = format[++i];
            bool unpadded = code == '-' && i + 1 < format.Length;
            if (unpadded) code = format[++i];
            string Number(int value, int width) => unpadded ? value.ToString(culture) : value.ToString(new string('0', width), culture);
            text.Append(code switch
            {
                'Y' => time.Year.ToString(culture),
                'y' => Number(time.Year % 100, 2),
                'm' => Number(time.Month, 2),
                'd' => Number(time.Day, 2),
                'e' => time.Day.ToString(culture).PadLeft(2),
                'H' => Number(time.Hour, 2),
                'I' => Number(time.Hour % 12 == 0 ? 12 : time.Hour % 12, 2),
                'M' => Number(time.Minute, 2),
                'S' => Number(time.Second, 2),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'j' => Number(time.DayOfYear, 3),
                'B' => culture.DateTimeFormat.GetMonthName(time.Month),
                'b' or 'h' => culture.DateTimeFormat.GetAbbreviatedMonthName(time.Month),
                'A' => culture.DateTimeFormat.GetDayName(time.DayOfWeek),
                'a' => culture.DateTimeFormat.GetAbbreviatedDayName(time.DayOfWeek),
                'w' => ((int)time.DayOfWeek).ToString(culture),
                'F' => time.ToString("yyyy-MM-dd", culture),
                'T' => time.ToString("HH:mm:ss", culture),
                '%' => "%",
                _ => throw new RenderError($"strftime_now: the directive '%{code}' is not supported"),
            });
        }

        return text.ToString();
    }
}
