using System.Runtime.CompilerServices;
using Microsoft.Extensions.Hosting;
using Rft.Training;

namespace Rft.Hosting.Tests;

/// <summary>
/// Records the host's calls and yields scripted reports, reusing one instance per phase like a generated trainer.
/// Its checkpoint holds a weights file and a real <c>trainer_state.json</c>; a loaded checkpoint makes each phase
/// continue from the saved step.
/// </summary>
public sealed class FakeTrainer(FakeOptions options, TrainerScript script, IHostApplicationLifetime lifetime) : IPipelineTrainer
{
    private static readonly string[] RewardNames = ["Correct", "Stopped"];

    private readonly List<string> _calls = [];

    // Steps done in each phase: what a checkpoint saves and a resume continues from.
    private int _sftSteps;
    private int _rlSteps;
    private IReadOnlyList<EvaluationSample> _samples = [];

    public string PipelineName => "Fake";

    public bool HasWarmUp => script.HasWarmUp;

    public FakeOptions Options => options;

    public IHostApplicationLifetime Lifetime => lifetime;

    /// <summary>Setup, WarmUp, Evaluate:name, Train, Checkpoint, Load:directory, Dispose, in call order.</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_calls)
            {
                return _calls.ToArray();
            }
        }
    }

    /// <summary>RL steps whose report was handed to the host.</summary>
    public int RlStepsCompleted { get; private set; }

    /// <summary>The folders the trainer was asked to write checkpoints into.</summary>
    public List<string> CheckpointFolders { get; } = [];

    /// <summary>The run directory the host gave, and whether it came before Setup.</summary>
    public (string Directory, bool BeforeSetup)? RunDirectory { get; private set; }

    public void UseRunDirectory(string directory) => RunDirectory = (directory, !Calls.Contains("Setup"));

    public void Setup()
    {
        Record("Setup");
        if (script.ThrowInSetup)
        {
            throw new FileNotFoundException("policy weights not found: models/missing/model.safetensors");
        }

        if (script.SetupException is { } exception) throw exception;
    }

    public IEnumerable<StepReport> WarmUp(CancellationToken cancellationToken)
    {
        Record("WarmUp");
        var report = new StepReport(TrainingPhase.Sft, []) { TotalSteps = options.WarmUpSteps };
        for (var step = _sftSteps + 1; step <= options.WarmUpSteps && !cancellationToken.IsCancellationRequested; step++)
        {
            Wait();
            script.DuringSftStep?.Invoke(step, this);
            report.Step = step;
            report.Loss = 1.0 / step;
            report.LearningRate = 1e-3;
            report.GradNorm = 2.0;
            report.ValidationAccuracy = step == 2 ? 0.125 : double.NaN;
            if (step == 2) _samples = Samples("validation", step);
            report.Seconds = 0.001;
            _sftSteps = step;
            yield return report;
        }
    }

    public async IAsyncEnumerable<StepReport> TrainAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Record("Train");
        var report = new StepReport(TrainingPhase.Rl, RewardNames) { TotalSteps = options.Steps };
        for (var step = _rlSteps + 1; step <= options.Steps; step++)
        {
            // Cooperative cancellation: a stop request is honoured between steps, never inside one.
            if (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            await Task.Yield();
            Wait();
            script.DuringRlStep?.Invoke(step, this);
            if (step == script.ThrowAtRlStep)
            {
                throw new InvalidOperationException($"reward server unreachable at step {step}");
            }

            report.Reset();  // the phase timings add up within a step, so each step starts from none
            report.Step = step;
            report.Loss = -0.0123;
            report.LearningRate = options.LearningRate;
            report.GradNorm = 0.5;
            report.RewardMeans[0] = 0.41;
            report.RewardMeans[1] = 0.98;
            report.Accuracy = 0.41;
            report.Kl = script.WithKl ? 0.0012 : double.NaN;
            report.Entropy = 0.87;
            report.ClipFraction = 0.02;
            report.ClipFractionHigh = 0.015;
            report.ClipFractionLow = 0.005;
            report.ApproxKl = 0.001 * step;
            report.OptimizerSteps = 4;
            report.MeanCompletionLength = 4.1;
            report.ZeroVarianceGroupShare = 0.25;
            report.MaskedSamples = step == 1 ? 3 : 0;
            report.Seconds = 0.001;
            report.AddPhaseSeconds(StepPhase.Rollout, 0.1 * step);
            report.AddPhaseSeconds(StepPhase.Score, 0.01);
            report.AddPhaseSeconds(StepPhase.OldLogProbs, 0.02);
            if (script.WithKl) report.AddPhaseSeconds(StepPhase.Reference, 0.03);
            report.AddPhaseSeconds(StepPhase.Update, 0.2);
            report.RolloutTokens = 256;
            report.UpdateTokens = 512;
            RlStepsCompleted = step;
            _rlSteps = step;
            yield return report;
        }
    }

    public ValueTask<EvaluationResult> EvaluateAsync(string name, CancellationToken cancellationToken)
    {
        Record("Evaluate:" + name);
        var correct = name == "sft" ? 123 : 250;
        _samples = Samples(name, 0);
        return ValueTask.FromResult(new EvaluationResult(name, 500, correct, 0.3));
    }

    public void SaveCheckpoint(string directory)
    {
        Record("Checkpoint");
        CheckpointFolders.Add(directory);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "model.safetensors"), $"weights after sft {_sftSteps}, rl {_rlSteps}");
        if (lifetime.ApplicationStopping.IsCancellationRequested && script.StoppingCheckpointDelay > TimeSpan.Zero) Thread.Sleep(script.StoppingCheckpointDelay);
        if (_rlSteps == script.FailCheckpointAtRlStep) throw new IOException("No space left on device");
        File.WriteAllText(Path.Combine(directory, Checkpoint.TrainerStateFile),
            $$"""{"Pipeline": "{{PipelineName}}", "Seed": {{options.Seed}}, "SftSteps": {{_sftSteps}}, "RlSteps": {{_rlSteps}}}""");
    }

    public TrainerState LoadCheckpoint(string directory)
    {
        Record("Load:" + directory);
        var state = Checkpoint.ReadState(directory, PipelineName);
        (_sftSteps, _rlSteps) = (state.SftSteps, state.RlSteps);
        return state;
    }

    public void Dispose() => Record("Dispose");

    private void Wait()
    {
        if (script.StepDelay > TimeSpan.Zero) Thread.Sleep(script.StepDelay);
    }

    public IReadOnlyList<EvaluationSample> EvaluationSamples => _samples;

    /// <summary>Two samples per evaluation, the first with text that HTML must escape, the second with a failed reward.</summary>
    private static EvaluationSample[] Samples(string evaluation, int step) =>
    [
        EvaluationSample.Create($"<b>{evaluation}</b> 1+1=", "2 & done", RewardNames, [1f, 1f], 1.1, correct: true),
        EvaluationSample.Create($"{evaluation} {step}: 2+2=", "5", RewardNames, [0f, float.NaN], double.NaN, correct: false),
    ];

    private void Record(string call)
    {
        lock (_calls)
        {
            _calls.Add(call);
        }
    }
}
