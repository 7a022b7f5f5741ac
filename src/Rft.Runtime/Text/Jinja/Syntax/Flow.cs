namespace Rft.Text.Jinja.Syntax;

/// <summary>How a statement ended: normally, or by <c>{% break %}</c> / <c>{% continue %}</c> inside a loop.</summary>
internal enum Flow
{
    Normal,
    Break,
    Continue,
}
