using System.Text;

namespace Rft.Text.Jinja.Syntax;

/// <summary><c>{% break %}</c> or <c>{% continue %}</c> (the loopcontrols extension transformers enables).</summary>
internal sealed class LoopControlStatement(SourcePosition position, Flow flow) : Statement(position)
{
    public override Flow Render(JinjaScope scope, StringBuilder output) => flow;
}
