namespace Rft.Text.Jinja;

/// <summary>
/// Jinja's undefined value: a variable, attribute or item that does not exist. It prints as nothing, is false,
/// iterates as empty and passes <c>is not defined</c>; most other operations on it are errors, as in Jinja2's
/// default <c>Undefined</c> that transformers uses. It remembers what was missing for error messages.
/// </summary>
public sealed class JinjaUndefined
{
    internal JinjaUndefined(string description) => Description = description;

    /// <summary>What was looked up, e.g. <c>'tools' is undefined</c>.</summary>
    public string Description { get; }

    public static JinjaUndefined Instance { get; } = new("the value is undefined");

    public override string ToString() => string.Empty;
}
