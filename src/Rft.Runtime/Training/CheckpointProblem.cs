namespace Rft.Training;

/// <summary>What is wrong with a checkpoint folder that failed verification.</summary>
public enum CheckpointProblem
{
    /// <summary>No <c>manifest.json</c>: the checkpoint was never completed (or an older Rft wrote it).</summary>
    MissingManifest,

    /// <summary><c>manifest.json</c> is not a valid manifest (garbage, truncated, a field missing or mistyped).</summary>
    MalformedManifest,

    /// <summary>The manifest's format version is one this Rft cannot read.</summary>
    UnsupportedVersion,

    /// <summary>The checkpoint was written by another pipeline.</summary>
    OtherPipeline,

    /// <summary>A file the manifest lists is missing.</summary>
    MissingFile,

    /// <summary>A file's size differs from the manifest's (truncated, or grown).</summary>
    SizeMismatch,

    /// <summary>A file's SHA-256 differs from the manifest's (altered or damaged).</summary>
    HashMismatch,

    /// <summary>A file is readable and whole but its content is wrong for this run (another model's optimizer state, a malformed trainer state).</summary>
    MalformedFile,
}
