using System.Diagnostics;
using Rft.Training;

namespace Rft.OffPolicyComparison;

/// <summary>Runs one arm in-process: setup, then RL with a held-out evaluation every EvalEvery steps.</summary>
public static class ArmRunner
{
    /// <summary>Trains <paramref name="trainer"/> (not yet set up, no warm-up of its own) and measures its learning curve.</summary>
    public static async Task<ArmResult> RunAsync(
        string name, string description, int seed, IPipelineTrainer trainer, int rolloutsPerStep, int evalEvery, TextWriter log, CancellationToken cancellationToken)
    {
        trainer.Setup();
        if (trainer.HasWarmUp) throw new InvalidOperationException($"The {name} arm must start from the shared warm-up checkpoint (SftMaxSteps = 0).");

        long started = Stopwatch.GetTimestamp();
        var curve = new List<CurvePoint> { await EvaluateAsync(trainer, 0, 0, double.NaN, double.NaN, 0, 0, cancellationToken) };
        log.WriteLine($"[{name} seed {seed}] step 0: held-out {curve[^1].Accuracy:F3}");

        var lengths = new List<double>();
        IReadOnlyDictionary<string, double> finalMetrics = new Dictionary<string, double>();
        long optimizerSteps = 0;
        await foreach (var report in trainer.TrainAsync(cancellationToken))
        {
            lengths.Add(report.MeanCompletionLength);
            optimizerSteps += report.OptimizerSteps;
            bool last = report.Step == report.TotalSteps;
            if (report.Step % evalEvery != 0 && !last) continue;

            if (last)
            {
                var metrics = new Dictionary<string, double>();
                for (int i = 0; i < report.ExtraNames.Count; i++) metrics[report.ExtraNames[i]] = report.Extra[i];
                metrics["kl"] = report.Kl;
                metrics["approx_kl"] = report.ApproxKl;
                metrics["clip_fraction"] = report.ClipFraction;
                finalMetrics = metrics;
            }

            double elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var point = await EvaluateAsync(trainer, report.Step, (long)report.Step * rolloutsPerStep, report.RewardMeans[0], report.MeanCompletionLength,
                optimizerSteps, elapsed, cancellationToken);
            curve.Add(point);
            log.WriteLine($"[{name} seed {seed}] step {report.Step}: held-out {point.Accuracy:F3}, train correct {report.RewardMeans[0]:F3}, "
                + $"length {report.MeanCompletionLength:F2}, {ExtraSummary(report)}{elapsed:F0} s");
        }

        return new ArmResult(name, description, seed, rolloutsPerStep, curve, lengths, finalMetrics, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static async Task<CurvePoint> EvaluateAsync(
        IPipelineTrainer trainer, int step, long rollouts, double reward, double length, long optimizerSteps, double elapsed, CancellationToken cancellationToken)
    {
        var result = await trainer.EvaluateAsync($"step{step}", cancellationToken);
        return new CurvePoint(step, rollouts, result.Accuracy, reward, length, optimizerSteps, elapsed);
    }

    // The off-policy metrics worth a glance in the log.
    private static string ExtraSummary(StepReport report)
    {
        var parts = new List<string>();
        for (int i = 0; i < report.ExtraNames.Count; i++)
        {
            string metric = report.ExtraNames[i];
            if (metric is "replay/replayed_rows" or "replay/mean_staleness" or "remix/kl_base" or "raft/kept" or "dpo/pairs" or "dpo/accuracy")
                parts.Add($"{metric} {report.Extra[i]:G3}");
        }

        return parts.Count == 0 ? string.Empty : string.Join(", ", parts) + ", ";
    }
}
