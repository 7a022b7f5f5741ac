using System.Runtime.CompilerServices;
using Microsoft.Extensions.Hosting;
using Rft.Training;

namespace Rft.Hosting.Tests;

/// <summary>Records the host's calls and yields scripted reports, reusing one instance per phase like a generated trainer.</summary>
public sealed class FakeTrainer(FakeOptions options, TrainerScript script, IHostApplicationLifetime lifetime) : IPipelineTrainer
{
    private static readonly string[] RewardNames = ["Correct", "Stopped"];

    private readonly List<string> _calls = [];

    public string PipelineName => "Fake";

    public bool HasWarmUp => script.HasWarmUp;

    public FakeOptions Options => options;

    public IHostApplicationLifetime Lifetime => lifetime;

    /// <summary>Setup, WarmUp, Evaluate:name, Train, Checkpoint:directory, Dispose, in call order.</summary>
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
    }

    public IEnumerable<StepReport> WarmUp(CancellationToken cancellationToken)
    {
        Record("WarmUp");
        var report = new StepReport(TrainingPhase.Sft, []) { TotalSteps = options.WarmUpSteps };
        for (var step = 1; step <= options.WarmUpSteps && !cancellationToken.IsCancellationRequested; step++)
        {
            report.Step = step;
            report.Loss = 1.0 / step;
            report.LearningRate = 1e-3;
            report.GradNorm = 2.0;
            report.ValidationAccuracy = step == 2 ? 0.125 : double.NaN;
            report.Seconds = 0.001;
            yield return report;
        }
    }

    public async IAsyncEnumerable<StepReport> TrainAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Record("Train");
        var report = new StepReport(TrainingPhase.Rl, RewardNames) { TotalSteps = options.Steps };
        for (var step = 1; step <= options.Steps; step++)
        {
            // Cooperative cancellation: a stop request is honoured between steps, never inside one.
            if (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            await Task.Yield();
            script.DuringRlStep?.Invoke(step, this);
            if (step == script.ThrowAtRlStep)
            {
                throw new InvalidOperationException($"reward server unreachable at step {step}");
            }

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
            report.MeanCompletionLength = 4.1;
            report.ZeroVarianceGroupShare = 0.25;
            report.MaskedSamples = step == 1 ? 3 : 0;
            report.Seconds = 0.001;
            RlStepsCompleted = step;
            yield return report;
        }
    }

    public ValueTask<EvaluationResult> EvaluateAsync(string name, CancellationToken cancellationToken)
    {
        Record("Evaluate:" + name);
        var correct = name == "sft" ? 123 : 250;
        return ValueTask.FromResult(new EvaluationResult(name, 500, correct, 0.3));
    }

    public void SaveCheckpoint(string directory)
    {
        Record("Checkpoint:" + directory);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "model.safetensors"), "weights");
    }

    public void Dispose() => Record("Dispose");

    private void Record(string call)
    {
        lock (_calls)
        {
            _calls.Add(call);
        }
    }
}
