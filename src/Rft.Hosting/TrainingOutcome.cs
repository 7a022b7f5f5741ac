namespace Rft.Hosting;

/// <summary>
/// The result of the training service, shared through DI so the entry point can turn it into the
/// process exit code (<see cref="RftHost.RunAsync(string[], Action{Microsoft.Extensions.Hosting.HostApplicationBuilder})"/> does).
/// </summary>
public sealed class TrainingOutcome
{
    /// <summary>Exit code when training completed or was interrupted on request.</summary>
    public const int Success = 0;

    /// <summary>Exit code when setup, training, evaluation or saving failed.</summary>
    public const int TrainingFailed = 1;

    /// <summary>Exit code when an option was invalid or a resume was refused.</summary>
    public const int InvalidOptions = 2;

    public TrainingStatus Status { get; private set; }

    /// <summary>The run's directory, once created.</summary>
    public string? RunDirectory { get; internal set; }

    /// <summary>What failed, when <see cref="Status"/> is <see cref="TrainingStatus.Failed"/> or <see cref="TrainingStatus.InvalidOptions"/>.</summary>
    public Exception? Error { get; private set; }

    /// <summary>0 completed or interrupted, 1 failed (or still running when the host gave up waiting), 2 invalid options or a refused resume.</summary>
    public int ExitCode => Status switch
    {
        TrainingStatus.Completed or TrainingStatus.Interrupted => Success,
        TrainingStatus.InvalidOptions => InvalidOptions,
        _ => TrainingFailed,
    };

    internal void Finish(TrainingStatus status, Exception? error = null)
    {
        Status = status;
        Error = error;
    }
}
