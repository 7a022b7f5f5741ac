namespace Rft.Training;

/// <summary>A checkpoint folder failed verification or could not be read back; the message names the file and what is wrong.</summary>
public sealed class InvalidCheckpointException : Exception
{
    public InvalidCheckpointException(string directory, string? file, CheckpointProblem problem, string message, Exception? inner = null)
        : base(message, inner)
    {
        Directory = directory;
        File = file;
        Problem = problem;
    }

    /// <summary>The checkpoint folder.</summary>
    public string Directory { get; }

    /// <summary>The file at fault (a full path), or null when the folder as a whole is.</summary>
    public string? File { get; }

    public CheckpointProblem Problem { get; }
}
