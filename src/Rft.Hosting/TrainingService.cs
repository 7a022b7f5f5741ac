using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rft.Training;

namespace Rft.Hosting;

/// <summary>
/// Drives the registered <see cref="IPipelineTrainer"/> through its lifecycle inside the generic host:
/// run directory and options.json, setup, warm-up, "sft" evaluation, RL, "rl" evaluation, checkpoint,
/// summary.json, then stops the application. A stop request (Ctrl+C, SIGTERM, StopApplication) lets the
/// step in progress finish, skips what remains, and still saves the checkpoint and the summary. Failures
/// are reported here, never thrown to the host, and recorded in <see cref="TrainingOutcome"/>.
/// </summary>
internal sealed partial class TrainingService(
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    TrainingOutcome outcome,
    RftConsole console,
    TimeProvider time,
    ILogger<TrainingService> logger) : BackgroundService
{
    private const string CheckpointName = "checkpoint";
    private const string FailedCheckpointName = "checkpoint-failed";

    private readonly ILogger<TrainingService> _logger = logger;

    // What the run is doing, for failure messages: "rl" after step 12. Kept as parts so a step allocates nothing.
    private string _phase = "setup";
    private int _phaseStep;

    // Whether the trainer holds a model that a checkpoint can save.
    private bool _setUp;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Leave host start-up at once: setup and the warm-up are synchronous.
        await Task.Yield();

        // ApplicationStopping is signalled the moment a stop is requested; the host cancels stoppingToken a little later.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        try
        {
            await RunAsync(stopping.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (OptionsProblems.TryCollect(exception, out var failures))
        {
            // Options resolved lazily (no ValidateOnStart) fail here rather than at host start.
            OptionsProblems.Write(console.Error, failures);
            outcome.Finish(TrainingStatus.InvalidOptions, exception);
        }
        catch (Exception exception)
        {
            ReportFailure(exception);
            outcome.Finish(TrainingStatus.Failed, exception);
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        Enter("resolving the options");
        var options = services.GetRequiredService<IRftOptions>();
        Enter("creating the trainer");
        var trainer = services.GetRequiredService<IPipelineTrainer>();
        if (cancellationToken.IsCancellationRequested)
        {
            outcome.Finish(TrainingStatus.Interrupted);
            return;
        }

        var wall = Stopwatch.StartNew();
        Enter("creating the run directory");
        var runDirectory = RunDirectory.Create(options.RunDirectory, trainer.PipelineName, options.Seed, time.GetLocalNow());
        outcome.RunDirectory = runDirectory;
        RunDirectory.WriteOptions(runDirectory, options);
        trainer.UseRunDirectory(runDirectory);
        using var metrics = new MetricsWriter(Path.Combine(runDirectory, "metrics.jsonl"));
        var progress = new ConsoleProgress(console.Out, options.LogEvery);
        var summary = new RunSummary(trainer.PipelineName, options.Seed, runDirectory);
        progress.Message($"{trainer.PipelineName}: run directory {runDirectory}");
        LogRunStarted(trainer.PipelineName, options.Seed, runDirectory);

        Exception? failure = null;
        var interrupted = false;
        using (cancellationToken.Register(static state => ((TrainingService)state!).AcknowledgeStop(), this))
        {
            try
            {
                interrupted = !await RunPhasesAsync(trainer, summary, progress, metrics, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // A trainer may honour the token by throwing; that is a stop, not a failure.
                interrupted = true;
            }
            catch (Exception exception)
            {
                failure = exception;
                summary.FailedDuring = Activity;
                ReportFailure(exception);
            }

            if (failure is null)
            {
                failure = TrySaveCheckpoint(trainer, summary, CheckpointName);
            }
            else if (_setUp)
            {
                // Keep the work done so far; a failure while saving must not hide the original one.
                TrySaveCheckpoint(trainer, summary, FailedCheckpointName);
            }
        }

        summary.Interrupted = interrupted && failure is null;
        summary.Completed = !interrupted && failure is null;
        if (failure is not null)
        {
            summary.Error = failure.Message;
        }

        try
        {
            if (_setUp) summary.TrainerFacts = trainer.RunFacts;
            summary.Write(wall.Elapsed.TotalSeconds, metrics.LastStep);
        }
        catch (Exception exception)
        {
            Enter("writing summary.json");
            failure ??= exception;
            ReportFailure(exception);
        }

        if (failure is not null)
        {
            outcome.Finish(TrainingStatus.Failed, failure);
            return;
        }

        if (interrupted)
        {
            var where = summary.RlSteps > 0 ? $"rl step {summary.RlSteps}" : summary.SftSteps > 0 ? $"sft step {summary.SftSteps}" : "the first step";
            progress.Message($"interrupted after {where}; checkpoint and summary in {runDirectory}");
            LogRunInterrupted(summary.SftSteps, summary.RlSteps);
            outcome.Finish(TrainingStatus.Interrupted);
        }
        else
        {
            progress.Message($"done in {wall.Elapsed.TotalSeconds:F1} s; checkpoint and summary in {runDirectory}");
            LogRunCompleted(wall.Elapsed.TotalSeconds);
            outcome.Finish(TrainingStatus.Completed);
        }
    }

    /// <summary>Runs the phases in order; false when a stop request cut them short.</summary>
    private async Task<bool> RunPhasesAsync(
        IPipelineTrainer trainer, RunSummary summary, ConsoleProgress progress, MetricsWriter metrics, CancellationToken cancellationToken)
    {
        Enter("setup");
        ProcessMemory.ResetPeak();
        trainer.Setup();
        _setUp = true;
        summary.RecordPeak("setup");

        if (trainer.HasWarmUp)
        {
            Enter("sft");
            progress.BeginPhase();
            ProcessMemory.ResetPeak();
            StepReport? last = null;
            foreach (var report in trainer.WarmUp(cancellationToken))
            {
                last = report;
                summary.SftSteps = report.Step;
                _phaseStep = report.Step;
                Report(report, progress, metrics);
            }

            progress.EndPhase(last);
            summary.RecordPeak("sft");
            if (cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            await EvaluateAsync(trainer, "sft", summary, progress, metrics, cancellationToken).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        Enter("rl");
        progress.BeginPhase();
        ProcessMemory.ResetPeak();
        StepReport? lastRl = null;
        await foreach (var report in trainer.TrainAsync(cancellationToken).ConfigureAwait(false))
        {
            lastRl = report;
            summary.RlSteps = report.Step;
            _phaseStep = report.Step;
            Report(report, progress, metrics);
        }

        progress.EndPhase(lastRl);
        summary.RecordPeak("rl");
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        await EvaluateAsync(trainer, "rl", summary, progress, metrics, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task EvaluateAsync(
        IPipelineTrainer trainer, string name, RunSummary summary, ConsoleProgress progress, MetricsWriter metrics, CancellationToken cancellationToken)
    {
        Enter($"the {name} evaluation");
        var result = await trainer.EvaluateAsync(name, cancellationToken).ConfigureAwait(false);
        summary.Add(result);
        metrics.WriteEvaluation(result);
        progress.Evaluation(result);
        LogEvaluated(result.Name, result.Correct, result.Problems, result.Accuracy);
    }

    private void Report(StepReport report, ConsoleProgress progress, MetricsWriter metrics)
    {
        metrics.WriteStep(report);
        progress.Step(report);
        LogStep(report.Phase, report.Step, report.TotalSteps, report.Loss);
    }

    /// <returns>The exception when saving failed, else null.</returns>
    private Exception? TrySaveCheckpoint(IPipelineTrainer trainer, RunSummary summary, string name)
    {
        var directory = Path.Combine(summary.RunDirectory, name);
        var (phase, step) = (_phase, _phaseStep);
        Enter($"saving {name}");
        try
        {
            trainer.SaveCheckpoint(directory);
            summary.Checkpoint = directory;
            LogCheckpointSaved(directory);
            if (name == FailedCheckpointName)
            {
                console.Error.WriteLine($"Saved the state reached so far to {directory}");
            }

            return null;
        }
        catch (Exception exception)
        {
            summary.FailedDuring ??= Activity;
            ReportFailure(exception);
            return exception;
        }
        finally
        {
            if (name == FailedCheckpointName)
            {
                // The failure that matters is the one that stopped training.
                (_phase, _phaseStep) = (phase, step);
            }
        }
    }

    private string Activity => _phaseStep > 0 ? $"{_phase} after step {_phaseStep}" : _phase;

    private void Enter(string phase)
    {
        _phase = phase;
        _phaseStep = 0;
    }

    private void ReportFailure(Exception exception)
    {
        console.Error.WriteLine($"Training failed during {Activity}: {exception.Message}");
        console.Error.WriteLine(exception);
        LogRunFailed(Activity, exception);
    }

    private void AcknowledgeStop()
    {
        console.Out.WriteLine("stopping: the current step finishes, then the checkpoint and summary are saved");
        LogStopRequested();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Training {Pipeline} with seed {Seed} in {RunDirectory}")]
    private partial void LogRunStarted(string pipeline, int seed, string runDirectory);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "{Phase} step {Step}/{TotalSteps}: loss {Loss}")]
    private partial void LogStep(TrainingPhase phase, int step, int totalSteps, double loss);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Evaluation {Name}: {Correct}/{Problems} correct ({Accuracy})")]
    private partial void LogEvaluated(string name, int correct, int problems, double accuracy);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Saved checkpoint to {Directory}")]
    private partial void LogCheckpointSaved(string directory);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Stop requested: finishing the current step")]
    private partial void LogStopRequested();

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Training interrupted after {SftSteps} SFT and {RlSteps} RL steps")]
    private partial void LogRunInterrupted(int sftSteps, int rlSteps);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Training completed in {Seconds} s")]
    private partial void LogRunCompleted(double seconds);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "Training failed during {Activity}")]
    private partial void LogRunFailed(string activity, Exception exception);
}
