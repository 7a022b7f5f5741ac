namespace Rft.Text.Jinja;

/// <summary>A place in a template's source: 1-based line and column (columns count UTF-16 code units).</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    public override string ToString() => $"line {Line}, column {Column}";
}
