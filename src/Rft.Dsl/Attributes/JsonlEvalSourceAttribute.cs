namespace Rft;

/// <summary>
/// Held-out evaluation records read from a JSON Lines file, bound like <see cref="JsonlSourceAttribute"/>.
/// The first <see cref="Count"/> rows (in file order) are evaluated; the option <c>Rft:EvalPath</c> overrides the path.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class JsonlEvalSourceAttribute : Attribute
{
    public JsonlEvalSourceAttribute(string path, Type recordType)
    {
        Path = path;
        RecordType = recordType;
    }

    /// <summary>The file, relative to the working directory unless absolute.</summary>
    public string Path { get; }

    /// <summary>The record each line binds to: the record type of the training sources.</summary>
    public Type RecordType { get; }

    /// <summary>How many rows to evaluate (fewer when the file has fewer).</summary>
    public int Count { get; set; } = 500;

    /// <summary>
    /// A <c>JsonSerializerContext</c> with <c>[JsonSerializable(typeof(TRecord))]</c> whose source-generated metadata
    /// binds the rows; when absent, System.Text.Json binds them by reflection.
    /// </summary>
    public Type? JsonContext { get; set; }

    /// <summary>What a malformed line does.</summary>
    public MalformedRows OnError { get; set; } = MalformedRows.Stop;
}
