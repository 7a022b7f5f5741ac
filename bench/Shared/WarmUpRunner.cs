using System.Diagnostics;
using Rft.Training;

namespace Rft.Benchmarks;

/// <summary>The supervised warm-up a comparison's arms share.</summary>
internal static class WarmUpRunner
{
    /// <summary>
    /// Runs the supervised warm-up of <paramref name="trainer"/> (not yet set up) and saves the policy to
    /// <paramref name="checkpoint"/>, logging every <paramref name="logEvery"/> steps.
    /// </summary>
    public static WarmUpResult Run(IPipelineTrainer trainer, string checkpoint, int logEvery, TextWriter log, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        trainer.Setup();
        int steps = 0;
        double accuracy = double.NaN;
        foreach (var report in trainer.WarmUp(cancellationToken))
        {
            steps = report.Step;
            if (!double.IsNaN(report.ValidationAccuracy)) accuracy = report.ValidationAccuracy;
            if (steps % logEvery == 0)
                log.WriteLine($"[warm-up] step {steps}: loss {report.Loss:F3}, validation accuracy {accuracy:F3}, {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
        }

        trainer.SaveCheckpoint(checkpoint);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        log.WriteLine($"[warm-up] done: {steps} steps, validation accuracy {accuracy:F3}, {seconds:F0} s; saved to {checkpoint}");
        return new WarmUpResult(steps, accuracy, seconds, checkpoint);
    }

}
