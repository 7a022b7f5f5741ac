namespace Rft.Data;

/// <summary>A JSONL line that cannot be bound to the record type; <see cref="Error"/> says where and why.</summary>
public sealed class JsonlFormatException : FormatException
{
    public JsonlFormatException(JsonlError error, Exception? inner = null)
        : base(error.ToString(), inner)
    {
        Error = error;
    }

    /// <summary>The file, 1-based line, field and expectation.</summary>
    public JsonlError Error { get; }
}
