using System.Text;
using System.Text.Json.Nodes;
using Rft.Text.Jinja.Syntax;

namespace Rft.Text.Jinja;

/// <summary>
/// A Jinja template in the subset chat templates use, rendered as transformers renders them: Jinja2 with
/// <c>trim_blocks</c> and <c>lstrip_blocks</c>, loop controls, <c>tojson</c> without HTML escaping,
/// <c>raise_exception</c> and <c>strftime_now</c>, and Python's semantics for values (None prints as <c>None</c>,
/// <c>str.strip('\n')</c> strips only newlines, a missing key is undefined, <c>'a' + 1</c> is an error).
/// Variables come in as System.Text.Json nodes; a key that is absent is undefined, a JSON null is None.
/// </summary>
public sealed class JinjaTemplate
{
    private readonly List<Statement> _body;

    private JinjaTemplate(string name, List<Statement> body)
    {
        Name = name;
        _body = body;
    }

    /// <summary>The name errors use, e.g. the file the template came from.</summary>
    public string Name { get; }

    /// <summary>Parses <paramref name="source"/>.</summary>
    /// <exception cref="JinjaException">The template has a syntax error, or uses a filter, test or tag this renderer lacks; the message says where.</exception>
    public static JinjaTemplate Parse(string source, string name = "template")
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(name);
        return new JinjaTemplate(name, JinjaParser.Parse(name, source));
    }

    /// <summary>Renders with the entries of <paramref name="variables"/> as the template's variables.</summary>
    /// <param name="now">The clock <c>strftime_now</c> reads; the local time when null.</param>
    /// <exception cref="JinjaException">Rendering failed (an undefined value used, a type error, <c>raise_exception</c>); the message names the position.</exception>
    public string Render(JsonObject? variables, Func<DateTime>? now = null)
    {
        var values = new List<KeyValuePair<string, object?>>();
        if (variables is not null)
        {
            foreach (var (key, value) in variables) values.Add(new(key, JinjaJson.FromNode(value)));
        }

        return Render(values, now);
    }

    internal string Render(IEnumerable<KeyValuePair<string, object?>> variables, Func<DateTime>? now = null)
    {
        var globals = new JinjaScope(Name);
        JinjaGlobals.AddTo(globals, now ?? (() => DateTime.Now));
        var scope = globals.Child();
        foreach (var (key, value) in variables) scope.Set(key, value);
        var output = new StringBuilder();
        Statement.RenderAll(_body, scope, output);
        return output.ToString();
    }
}
