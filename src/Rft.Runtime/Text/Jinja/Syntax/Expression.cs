namespace Rft.Text.Jinja.Syntax;

/// <summary>A node that computes a value. An error inside it is reported at its position.</summary>
internal abstract class Expression(SourcePosition position)
{
    public SourcePosition Position { get; } = position;

    public object? Evaluate(JinjaScope scope)
    {
        try
        {
            return EvaluateCore(scope);
        }
        catch (RenderError e)
        {
            throw new JinjaException(scope.TemplateName, Position, e.Message, e.RaisedByTemplate);
        }
    }

    protected abstract object? EvaluateCore(JinjaScope scope);
}
