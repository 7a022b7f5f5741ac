namespace Rft.Text.Jinja;

/// <summary>
/// An error found while evaluating a template node; the node that catches it first adds its position and
/// turns it into a <see cref="JinjaException"/>.
/// </summary>
internal sealed class RenderError(string problem, bool raisedByTemplate = false) : Exception(problem)
{
    public bool RaisedByTemplate { get; } = raisedByTemplate;
}
