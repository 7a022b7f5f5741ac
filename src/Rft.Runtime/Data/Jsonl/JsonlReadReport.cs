namespace Rft.Data;

/// <summary>What reading a JSONL file found: rows bound, malformed lines skipped by kind, the first errors.</summary>
public sealed class JsonlReadReport
{
    /// <summary>How many errors <see cref="FirstErrors"/> keeps.</summary>
    public const int KeptErrors = 10;

    private readonly int[] _skipped = new int[Enum.GetValues<JsonlErrorKind>().Length];
    private readonly List<JsonlError> _firstErrors = new();

    /// <summary>Rows bound to the record type.</summary>
    public int Rows { get; private set; }

    /// <summary>Blank lines passed over (not errors).</summary>
    public int BlankLines { get; private set; }

    /// <summary>Malformed lines skipped, all kinds together.</summary>
    public int Skipped => _skipped.Sum();

    /// <summary>The first <see cref="KeptErrors"/> malformed lines, in file order.</summary>
    public IReadOnlyList<JsonlError> FirstErrors => _firstErrors;

    /// <summary>Malformed lines of <paramref name="kind"/> skipped.</summary>
    public int SkippedOf(JsonlErrorKind kind) => _skipped[(int)kind];

    internal void CountRow() => Rows++;

    internal void CountBlank() => BlankLines++;

    internal void CountError(JsonlError error)
    {
        _skipped[(int)error.Kind]++;
        if (_firstErrors.Count < KeptErrors) _firstErrors.Add(error);
    }
}
