namespace Rft.Data;

/// <summary>One malformed line of a JSONL file.</summary>
/// <param name="File">The file's path.</param>
/// <param name="Line">The 1-based line number.</param>
/// <param name="Kind">What is wrong.</param>
/// <param name="Field">The field at fault: as the file writes it for a wrong type, as the record's JSON
/// metadata names it for a missing field, or <c>$</c> for the whole line.</param>
/// <param name="Expected">What would have been valid there.</param>
/// <param name="Detail">The parser's own words, or what the line has instead, when known.</param>
/// <param name="Fix">How to make lines like this one bind, when the cause is known (a field name that differs only in case).</param>
public sealed record JsonlError(string File, int Line, JsonlErrorKind Kind, string Field, string Expected, string? Detail, string? Fix = null)
{
    /// <summary>"file:line: field 'x' ...; expected ...", the form error messages take.</summary>
    public override string ToString()
    {
        string what = Kind switch
        {
            JsonlErrorKind.Syntax => "not valid JSON",
            JsonlErrorKind.MissingField => $"field '{Field}' is missing",
            _ => Field == "$" ? "the line has the wrong JSON type" : $"field '{Field}' has the wrong type",
        };
        string detail = string.IsNullOrEmpty(Detail) ? "" : $" ({Detail})";
        string fix = string.IsNullOrEmpty(Fix) ? "" : $" Fix: {Fix}";
        return $"{File}:{Line}: {what}{detail}; expected {Expected}.{fix}";
    }
}
