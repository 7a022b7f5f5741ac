namespace Rft.Data;

/// <summary>Why a JSONL line could not be bound to the record type.</summary>
public enum JsonlErrorKind
{
    /// <summary>The line is not valid JSON.</summary>
    Syntax,

    /// <summary>A required field (a constructor parameter without a default) is absent.</summary>
    MissingField,

    /// <summary>A field, or the line itself, holds a JSON value of the wrong type (or null where none is allowed).</summary>
    WrongType,
}
