using System.Text;

namespace Rft.Text.Jinja.Syntax;

/// <summary>Template text outside tags, after whitespace control.</summary>
internal sealed class TextStatement(SourcePosition position, string text) : Statement(position)
{
    public override Flow Render(JinjaScope scope, StringBuilder output)
    {
        output.Append(text);
        return Flow.Normal;
    }
}
