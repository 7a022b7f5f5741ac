using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rft.Hosting.TensorBoard;
using Rft.Training;

namespace Rft.Hosting;

/// <summary>
/// Drives the registered <see cref="IPipelineTrainer"/> through its lifecycle inside the generic host:
/// run directory and options.json, setup, warm-up, "sft" evaluation, RL, "rl" evaluation, checkpoint,
/// summary.json, then stops the application. Every <c>Rft:CheckpointEvery</c> steps of a phase it writes a
/// resumable checkpoint between two steps (<see cref="CheckpointStore"/>). A stop request (Ctrl+C, SIGTERM,
/// StopApplication) lets the step in progress finish, skips what remains, and still saves the checkpoint and
/// the summary. With <c>Rft:Resume</c> it continues a run in its own directory from its newest intact
/// checkpoint (<see cref="ResumePlanner"/>). Failures are reported here, never thrown to the host, and
/// recorded in <see cref="TrainingOutcome"/>.
/// </summary>
internal sealed partial class TrainingService(
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    TrainingOutcome outcome,
    RftConsole console,
    TimeProvider time,
    ILogger<TrainingService> logger) : BackgroundService
{
    private readonly ILogger<TrainingService> _logger = logger;

    // What the run is doing, for failure messages: "rl" after step 12. Kept as parts so a step allocates nothing.
    private string _phase = "setup";
    private int _phaseStep;

    // Whether the trainer holds a model that a checkpoint can save.
    private bool _setUp;

    // Where the run stands for its next checkpoint: the phase and step of the last report, and the warm-up's steps.
    private CheckpointPosition _position;
    private int _sftSteps;

    // Set once the run directory is known.
    private IRftOptions _options = null!;
    private CheckpointStore _store = null!;
    private MetricsWriter _metrics = null!;
    // Where evaluation samples and, with Rft:TensorBoard, TensorBoard events go; set for the run in RunAsync.
    private EvaluationSamplesWriter? _samples;
    private TensorBoardWriter? _tensorBoard;

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
        catch (ResumeRefusedException refused)
        {
            console.Error.WriteLine(refused.Message);
            outcome.Finish(TrainingStatus.InvalidOptions, refused);
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
        var options = _options = services.GetRequiredService<IRftOptions>();
        Enter("creating the trainer");
        var trainer = services.GetRequiredService<IPipelineTrainer>();
        if (cancellationToken.IsCancellationRequested)
        {
            outcome.Finish(TrainingStatus.Interrupted);
            return;
        }

        var wall = Stopwatch.StartNew();
        var progress = new ConsoleProgress(console.Out, options.LogEvery);
        ResumePlan? resume = null;
        string runDirectory;
        if (string.IsNullOrWhiteSpace(options.Resume))
        {
            Enter("creating the run directory");
            runDirectory = RunDirectory.Create(options.RunDirectory, trainer.PipelineName, options.Seed, time.GetLocalNow());
            outcome.RunDirectory = runDirectory;
            RunDirectory.WriteOptions(runDirectory, options);
            trainer.UseRunDirectory(runDirectory);
            _position = new CheckpointPosition(trainer.HasWarmUp ? TrainingPhase.Sft : TrainingPhase.Rl, 0);
        }
        else
        {
            Enter("finding the run to resume");
            resume = ResumePlanner.Plan(options, trainer.PipelineName);
            runDirectory = resume.RunDirectory;
            outcome.RunDirectory = runDirectory;
            trainer.UseRunDirectory(runDirectory);
            // Nothing in the run directory changes until the trainer holds the checkpoint's state.
            if (!SetUpFrom(trainer, resume)) return;
        }

        _store = new CheckpointStore(runDirectory, trainer.PipelineName, time);
        var summary = new RunSummary(trainer.PipelineName, options.Seed, runDirectory);
        using var metrics = _metrics = resume is null
            ? new MetricsWriter(Path.Combine(runDirectory, "metrics.jsonl"))
            : Continue(resume, options, summary, progress);
        using var samples = _samples = new EvaluationSamplesWriter(Path.Combine(runDirectory, "samples.jsonl"));
        using var tensorBoard = _tensorBoard = options.TensorBoard ? new TensorBoardWriter(runDirectory, time) : null;
        if (resume is null)
        {
            progress.Message($"{trainer.PipelineName}: run directory {runDirectory}");
        }

        LogRunStarted(trainer.PipelineName, options.Seed, runDirectory);

        Exception? failure = null;
        var interrupted = false;
        using (cancellationToken.Register(static state => ((TrainingService)state!).AcknowledgeStop(), this))
        {
            try
            {
                interrupted = !await RunPhasesAsync(trainer, summary, progress, resume?.Position, cancellationToken).ConfigureAwait(false);
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
                // An option that validated but cannot work on this machine (Rft:Device = cuda without CUDA) is reported as one.
                if (OptionsProblems.TryCollect(exception, out var problems)) OptionsProblems.Write(console.Error, problems);
                else ReportFailure(exception);
            }

            if (failure is null)
            {
                failure = TrySaveCheckpoint(trainer, summary, interrupted ? CheckpointReason.Interrupted : CheckpointReason.Completed);
            }
            else if (_setUp)
            {
                // Keep the work done so far; a failure while saving must not hide the original one.
                TrySaveCheckpoint(trainer, summary, CheckpointReason.Failed);
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
            summary.Write(wall.Elapsed.TotalSeconds, metrics.LastStep, metrics.RlTimings);
        }
        catch (Exception exception)
        {
            Enter("writing summary.json");
            failure ??= exception;
            ReportFailure(exception);
        }

        if (failure is not null)
        {
            outcome.Finish(OptionsProblems.TryCollect(failure, out _) ? TrainingStatus.InvalidOptions : TrainingStatus.Failed, failure);
            return;
        }

        if (interrupted)
        {
            var where = summary.RlSteps > 0 ? $"rl step {summary.RlSteps}" : summary.SftSteps > 0 ? $"sft step {summary.SftSteps}" : "the first step";
            progress.Message($"interrupted after {where}; checkpoint and summary in {runDirectory}; resume with --Rft:Resume={runDirectory}");
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

    /// <summary>
    /// Sets the trainer up and loads the checkpoint a resume continues from. False (the outcome recorded, the run
    /// directory untouched) when that fails: a trainer that cannot resume is refused with exit code 2, a checkpoint it
    /// cannot read fails with exit code 1.
    /// </summary>
    private bool SetUpFrom(IPipelineTrainer trainer, ResumePlan resume)
    {
        foreach (var damaged in resume.Damaged)
        {
            console.Error.WriteLine($"warning: {damaged.Problem!.Message} Falling back to the previous complete checkpoint, {resume.Checkpoint.Directory} ({resume.Position}).");
        }

        try
        {
            Enter("setup");
            ProcessMemory.ResetPeak();
            trainer.Setup();
            _setUp = true;
            Enter($"loading {resume.Checkpoint.Directory}");
            var state = trainer.LoadCheckpoint(resume.Checkpoint.Directory);
            int saved = resume.Position.Phase == TrainingPhase.Sft ? state.SftSteps : state.RlSteps;
            if (state.Pipeline != trainer.PipelineName || saved != resume.Position.Step)
            {
                throw new InvalidCheckpointException(resume.Checkpoint.Directory, Path.Combine(resume.Checkpoint.Directory, Checkpoint.TrainerStateFile), CheckpointProblem.MalformedFile,
                    $"{Path.Combine(resume.Checkpoint.Directory, Checkpoint.TrainerStateFile)} says {state.Pipeline} at {new CheckpointPosition(resume.Position.Phase, saved)}, " +
                    $"but {CheckpointManifest.FileName} says {resume.Manifest.Pipeline} at {resume.Position}.");
            }
        }
        catch (NotSupportedException exception)
        {
            console.Error.WriteLine($"Rft:Resume: {exception.Message}");
            outcome.Finish(TrainingStatus.InvalidOptions, exception);
            return false;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            console.Error.WriteLine($"Resuming from {resume.Checkpoint.Directory} failed during {Activity}: {exception.Message}");
            console.Error.WriteLine(exception);
            LogRunFailed(Activity, exception);
            outcome.Finish(TrainingStatus.Failed, exception);
            return false;
        }

        _position = resume.Position;
        _sftSteps = resume.Manifest.SftSteps;
        return true;
    }

    /// <summary>
    /// Takes over the run directory of a resume: damaged checkpoints set aside, <c>metrics.jsonl</c> cut back to the
    /// checkpoint, <c>options.json</c> rewritten with the options the run goes on with, the summary seeded.
    /// </summary>
    private MetricsWriter Continue(ResumePlan resume, IRftOptions options, RunSummary summary, ConsoleProgress progress)
    {
        var store = new CheckpointStore(resume.RunDirectory, resume.Manifest.Pipeline, time);
        foreach (var damaged in resume.Damaged)
        {
            string aside = store.SetAside(damaged);
            console.Error.WriteLine($"warning: set the damaged checkpoint aside as {aside}");
        }

        var metrics = MetricsWriter.Continue(Path.Combine(resume.RunDirectory, "metrics.jsonl"), resume.Position, out var kept);
        if (resume.Position.Step > 0 && kept.LastStep != resume.Position)
        {
            console.Error.WriteLine(
                $"warning: metrics.jsonl ends at {(kept.LastStep?.ToString() ?? "no step")}, before the checkpoint's {resume.Position}: the lines between were lost; the run goes on from {resume.Position with { Step = resume.Position.Step + 1 }}.");
        }

        foreach (var change in resume.Changes)
        {
            if (change.ChangesMath) console.Error.WriteLine($"warning: resuming with a changed option that changes the run's math (Rft:ResumeOverride=true): {change}");
            else progress.Message($"resume: {change}");
        }

        RunDirectory.WriteOptions(resume.RunDirectory, options);
        summary.ResumedFrom = resume.Checkpoint.Directory;
        summary.SftSteps = resume.Manifest.SftSteps;
        summary.RlSteps = resume.Position.Phase == TrainingPhase.Rl ? resume.Position.Step : 0;
        foreach (var evaluation in kept.Evaluations) summary.Add(evaluation);
        summary.RecordPeak("setup");
        progress.Message(
            $"{resume.Manifest.Pipeline}: resuming {resume.RunDirectory} from {resume.Checkpoint.Directory} ({resume.Position}); " +
            $"metrics.jsonl keeps {kept.Kept} lines{(kept.Dropped > 0 ? $" and drops {kept.Dropped} written after the checkpoint" : "")}");
        return metrics;
    }

    /// <summary>Runs the phases in order (from the checkpoint's phase when resuming); false when a stop request cut them short.</summary>
    private async Task<bool> RunPhasesAsync(
        IPipelineTrainer trainer, RunSummary summary, ConsoleProgress progress, CheckpointPosition? resumedAt, CancellationToken cancellationToken)
    {
        if (!_setUp)
        {
            Enter("setup");
            ProcessMemory.ResetPeak();
            trainer.Setup();
            _setUp = true;
            summary.RecordPeak("setup");
        }

        if (trainer.HasWarmUp && resumedAt is not { Phase: TrainingPhase.Rl })
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
                Report(trainer, report, progress);
            }

            progress.EndPhase(last);
            summary.RecordPeak("sft");
            if (cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            await EvaluateAsync(trainer, "sft", summary.SftSteps, summary, progress, cancellationToken).ConfigureAwait(false);
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
            Report(trainer, report, progress);
        }

        progress.EndPhase(lastRl);
        summary.RecordPeak("rl");
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        await EvaluateAsync(trainer, "rl", summary.RlSteps, summary, progress, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task EvaluateAsync(IPipelineTrainer trainer, string name, int step, RunSummary summary, ConsoleProgress progress, CancellationToken cancellationToken)
    {
        Enter($"the {name} evaluation");
        var result = await trainer.EvaluateAsync(name, cancellationToken).ConfigureAwait(false);
        summary.Add(result);
        _metrics.WriteEvaluation(result);
        _tensorBoard?.WriteEvaluation(result, step);
        _samples?.WriteEvaluation(name, step, trainer.EvaluationSamples);
        progress.Evaluation(result);
        LogEvaluated(result.Name, result.Correct, result.Problems, result.Accuracy);
    }

    private void Report(IPipelineTrainer trainer, StepReport report, ConsoleProgress progress)
    {
        _metrics.WriteStep(report);
        _tensorBoard?.WriteStep(report);
        if (double.IsFinite(report.ValidationAccuracy)) _samples?.Write(report.Phase, report.Step, trainer.EvaluationSamples);
        progress.Step(report);
        LogStep(report.Phase, report.Step, report.TotalSteps, report.Loss);
        _position = new CheckpointPosition(report.Phase, report.Step);
        if (report.Phase == TrainingPhase.Sft) _sftSteps = report.Step;
        if (_options.CheckpointEvery > 0 && report.Step % _options.CheckpointEvery == 0) SavePeriodicCheckpoint(trainer);
    }

    /// <summary>
    /// Writes the periodic checkpoint of the step just reported. A failure (a full disk) is reported and training goes
    /// on: the previous checkpoint stays the newest, and the next one may succeed.
    /// </summary>
    private void SavePeriodicCheckpoint(IPipelineTrainer trainer)
    {
        try
        {
            // The metrics of every step up to the checkpoint reach the disk before it does.
            _metrics.FlushToDisk();
            var directory = _store.WritePeriodic(_position, _sftSteps, Math.Max(1, _options.KeepCheckpoints), trainer.SaveCheckpoint);
            LogCheckpointSaved(directory);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            console.Error.WriteLine(
                $"warning: the checkpoint at {_position} could not be saved: {exception.Message} Training goes on; " +
                $"{_store.Latest() ?? "no checkpoint"} stays the newest.");
            LogCheckpointFailed(_position.ToString(), exception);
        }
    }

    /// <returns>The exception when saving failed, else null.</returns>
    private Exception? TrySaveCheckpoint(IPipelineTrainer trainer, RunSummary summary, CheckpointReason reason)
    {
        var (phase, step) = (_phase, _phaseStep);
        Enter(reason == CheckpointReason.Failed ? $"saving {CheckpointStore.FailedFolderName}" : $"saving {CheckpointStore.FinalFolderName}");
        try
        {
            _metrics.FlushToDisk();
            var directory = _store.WriteFinal(_position, _sftSteps, reason, trainer.SaveCheckpoint);
            summary.Checkpoint = directory;
            LogCheckpointSaved(directory);
            if (reason == CheckpointReason.Failed)
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
            if (reason == CheckpointReason.Failed)
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

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "The checkpoint at {Position} could not be saved")]
    private partial void LogCheckpointFailed(string position, Exception exception);
}
