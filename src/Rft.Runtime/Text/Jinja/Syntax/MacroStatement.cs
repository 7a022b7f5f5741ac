using System.Text;

namespace Rft.Text.Jinja.Syntax;

/// <summary>
/// <c>{% macro name(a, b=default) %}...{% endmacro %}</c>: defines a function that renders its body. Its body sees the
/// scope where it was defined (late bound, as Jinja2's) plus its parameters.
/// </summary>
internal sealed class MacroStatement(SourcePosition position, string name, IReadOnlyList<(string Name, Expression? Default)> parameters, IReadOnlyList<Statement> body)
    : Statement(position)
{
    public override Flow Render(JinjaScope scope, StringBuilder output)
    {
        scope.Set(name, new JinjaFunction(name, arguments => Call(scope, arguments)));
        return Flow.Normal;
    }

    private string Call(JinjaScope defined, JinjaArguments arguments)
    {
        if (arguments.Positional.Count > parameters.Count)
            throw new RenderError($"macro '{name}' takes not more than {parameters.Count} argument(s)");
        foreach (var key in arguments.Keywords.Keys)
        {
            if (!parameters.Any(p => p.Name == key)) throw new RenderError($"macro '{name}' takes no keyword argument '{key}'");
        }

        var local = defined.Child();
        for (int i = 0; i < parameters.Count; i++)
        {
            var (parameter, fallback) = parameters[i];
            object? value = i < arguments.Positional.Count ? arguments.Positional[i]
                : arguments.Keywords.TryGetValue(parameter, out var named) ? named
                : fallback is not null ? fallback.Evaluate(local)
                : new JinjaUndefined($"parameter '{parameter}' of macro '{name}' was not given");
            local.Set(parameter, value);
        }

        var output = new StringBuilder();
        RenderAll(body, local, output);
        return output.ToString();
    }
}
