namespace Rft.Hosting;

/// <summary>A resume that cannot or must not go ahead; the run directory is left as it was and the exit code is 2.</summary>
internal sealed class ResumeRefusedException(string message) : Exception(message);
