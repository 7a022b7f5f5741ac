using System.Text;

namespace Rft.Text.Jinja.Syntax;

/// <summary><c>{% set target = value %}</c>, or the block form <c>{% set name %}...{% endset %}</c> that captures its output.</summary>
internal sealed class SetStatement(SourcePosition position, Expression target, Expression? value, IReadOnlyList<Statement> body) : Statement(position)
{
    public override Flow Render(JinjaScope scope, StringBuilder output)
    {
        object? result;
        if (value is not null)
        {
            result = value.Evaluate(scope);
        }
        else
        {
            var captured = new StringBuilder();
            RenderAll(body, scope, captured);
            result = captured.ToString();
        }

        Assign(target, result, scope);
        return Flow.Normal;
    }
}
