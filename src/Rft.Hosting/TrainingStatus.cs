namespace Rft.Hosting;

/// <summary>How a run ended.</summary>
public enum TrainingStatus
{
    /// <summary>The training service has not finished (or never ran).</summary>
    NotFinished,

    /// <summary>Every phase ran to its end and the checkpoint was saved.</summary>
    Completed,

    /// <summary>Stopped early on request (Ctrl+C, SIGTERM, StopApplication): the step in progress finished and the checkpoint was saved.</summary>
    Interrupted,

    /// <summary>An option was invalid, or a resume was refused (<c>Rft:Resume</c>); nothing was trained.</summary>
    InvalidOptions,

    /// <summary>Setup, a phase, an evaluation or the checkpoint threw.</summary>
    Failed,
}
