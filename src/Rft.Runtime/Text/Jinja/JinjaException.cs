namespace Rft.Text.Jinja;

/// <summary>
/// A template that cannot be parsed or rendered. The message names the template, the line and column, and
/// what is wrong; <see cref="RaisedByTemplate"/> tells a template's own <c>raise_exception(...)</c> apart
/// (chat templates use it to reject conversations they cannot format, e.g. roles that do not alternate).
/// </summary>
public sealed class JinjaException : Exception
{
    public JinjaException(string templateName, SourcePosition position, string problem, bool raisedByTemplate = false, Exception? inner = null)
        : base($"{templateName} {position}: {problem}", inner)
    {
        TemplateName = templateName;
        Position = position;
        Problem = problem;
        RaisedByTemplate = raisedByTemplate;
    }

    public string TemplateName { get; }

    public SourcePosition Position { get; }

    /// <summary>What is wrong, without the template name and position.</summary>
    public string Problem { get; }

    /// <summary>True when the template itself called <c>raise_exception(message)</c>; <see cref="Problem"/> is its message.</summary>
    public bool RaisedByTemplate { get; }
}
