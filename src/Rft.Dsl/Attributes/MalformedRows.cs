namespace Rft;

/// <summary>What a malformed line of a JSONL file (bad JSON, a missing field, a wrong type) does.</summary>
public enum MalformedRows
{
    /// <summary>Stop with an error naming the file, line and field; nothing already trained is lost.</summary>
    Stop,

    /// <summary>Skip the line, count it and report the first few at load time.</summary>
    Skip,
}
