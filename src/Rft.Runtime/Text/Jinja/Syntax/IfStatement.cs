using System.Text;

namespace Rft.Text.Jinja.Syntax;

/// <summary><c>{% if %}</c> with its <c>elif</c> branches (nested here as an <c>if</c> in the else body) and <c>else</c>.</summary>
internal sealed class IfStatement(SourcePosition position, Expression test, IReadOnlyList<Statement> body, IReadOnlyList<Statement> otherwise) : Statement(position)
{
    public override Flow Render(JinjaScope scope, StringBuilder output) =>
        RenderAll(JinjaValues.Truthy(test.Evaluate(scope)) ? body : otherwise, scope, output);
}
