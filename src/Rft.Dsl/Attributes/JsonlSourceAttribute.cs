namespace Rft;

/// <summary>
/// A training data source read from a JSON Lines file: one JSON object per line, bound to
/// <see cref="RecordType"/> by property name (case-insensitively). The path is a default: the option
/// <c>Rft:&lt;Name&gt;Path</c> overrides it; a relative path is resolved against the working directory.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
public sealed class JsonlSourceAttribute : Attribute
{
    public JsonlSourceAttribute(string path, Type recordType)
    {
        Path = path;
        RecordType = recordType;
    }

    /// <summary>The file, relative to the working directory unless absolute.</summary>
    public string Path { get; }

    /// <summary>The record each line binds to; every source of a pipeline yields the same type.</summary>
    public Type RecordType { get; }

    /// <summary>The source's name in metrics and options (<c>Rft:&lt;Name&gt;Path</c>, <c>Rft:&lt;Name&gt;Weight</c>).</summary>
    public string Name { get; set; } = "Train";

    /// <summary>Relative weight of this source in the mixture; must be positive.</summary>
    public double Weight { get; set; } = 1.0;

    /// <summary>
    /// A <c>JsonSerializerContext</c> with <c>[JsonSerializable(typeof(TRecord))]</c> whose source-generated metadata
    /// binds the rows; when absent, System.Text.Json binds them by reflection.
    /// </summary>
    public Type? JsonContext { get; set; }

    /// <summary>What a malformed line does.</summary>
    public MalformedRows OnError { get; set; } = MalformedRows.Stop;

    /// <summary>Without replacement: visit the rows in a new seeded order each epoch (true) or in file order.</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>Draw each row independently and uniformly (sampling with replacement) instead of epoch by epoch.</summary>
    public bool WithReplacement { get; set; }
}
