using System.Text;

namespace Rft.Text.Jinja.Syntax;

/// <summary>
/// <c>{% for target in iterable [if filter] %} body [{% else %} empty] {% endfor %}</c>. Each iteration gets its own
/// scope holding the target and <c>loop</c>; the filter drops items before <c>loop.length</c> is counted.
/// </summary>
internal sealed class ForStatement(
    SourcePosition position, Expression target, Expression iterable, Expression? filter, IReadOnlyList<Statement> body, IReadOnlyList<Statement> otherwise)
    : Statement(position)
{
    public override Flow Render(JinjaScope scope, StringBuilder output)
    {
        var source = iterable.Evaluate(scope);
        List<object?> items;
        try
        {
            items = JinjaValues.Iterate(source);
        }
        catch (RenderError e)
        {
            throw new JinjaException(scope.TemplateName, iterable.Position, e.Message);
        }

        if (filter is not null)
        {
            items = items.Where(item =>
            {
                var test = scope.Child();
                Assign(target, item, test);
                return JinjaValues.Truthy(filter.Evaluate(test));
            }).ToList();
        }

        if (items.Count == 0) return RenderAll(otherwise, scope, output);
        for (int i = 0; i < items.Count; i++)
        {
            var iteration = scope.Child();
            iteration.Set("loop", new JinjaLoop(items, i));
            Assign(target, items[i], iteration);
            if (RenderAll(body, iteration, output) == Flow.Break) break;
        }

        return Flow.Normal;
    }
}
