using System.Text;

namespace Rft.Text.Jinja.Syntax;

/// <summary><c>{{ expression }}</c>: prints Python's str() of the value; undefined prints nothing.</summary>
internal sealed class OutputStatement(SourcePosition position, Expression expression) : Statement(position)
{
    public override Flow Render(JinjaScope scope, StringBuilder output)
    {
        output.Append(JinjaValues.ToText(expression.Evaluate(scope)));
        return Flow.Normal;
    }
}
