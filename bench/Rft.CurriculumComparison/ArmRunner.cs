using System.Diagnostics;
using Rft.Training;

namespace Rft.CurriculumComparison;

/// <summary>Runs one arm in-process: setup, warm-up, RL with a held-out evaluation every EvalEvery steps.</summary>
public static class ArmRunner
{
    // The pipelines' sources, in declaration order, and the category each one holds.
    private static readonly string[] SourceNames = { "OneDigit", "TwoDigits", "ThreeDigits" };

    /// <summary>Trains <paramref name="trainer"/> (not yet set up, no warm-up of its own) and measures its learning curve.</summary>
    public static async Task<ArmResult> RunAsync(
        string name, string curriculum, IPipelineTrainer trainer, int rolloutsPerStep, ComparisonSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        trainer.Setup();
        if (trainer.HasWarmUp) throw new InvalidOperationException($"The {name} arm must start from the shared warm-up checkpoint (SftMaxSteps = 0).");

        long rlStarted = Stopwatch.GetTimestamp();
        var nan3 = new[] { double.NaN, double.NaN, double.NaN };
        var curve = new List<CurvePoint> { await EvaluateAsync(trainer, 0, 0, nan3, nan3, 0, cancellationToken) };
        log.WriteLine($"[{name}] step 0: held-out {Describe(curve[^1])}");

        var runPrompts = new double[3];
        var intervalPrompts = new double[3];
        IReadOnlyDictionary<string, double> finalMetrics = new Dictionary<string, double>();
        await foreach (var report in trainer.TrainAsync(cancellationToken))
        {
            // The step's per-source shares, in prompts.
            for (int c = 0; c < 3; c++)
            {
                double share = Metric(report, $"source/{SourceNames[c]}/share");
                if (!double.IsFinite(share)) continue;
                runPrompts[c] += share;
                intervalPrompts[c] += share;
            }

            bool last = report.Step == report.TotalSteps;
            if (report.Step % settings.EvalEvery != 0 && !last) continue;

            var secValues = SecValues(report);
            if (last)
            {
                var metrics = new Dictionary<string, double>();
                for (int i = 0; i < report.ExtraNames.Count; i++) metrics[report.ExtraNames[i]] = report.Extra[i];
                finalMetrics = metrics;
            }

            double elapsed = Stopwatch.GetElapsedTime(rlStarted).TotalSeconds;
            var point = await EvaluateAsync(trainer, report.Step, (long)report.Step * rolloutsPerStep, Normalize(intervalPrompts), secValues, elapsed, cancellationToken);
            curve.Add(point);
            Array.Clear(intervalPrompts);
            log.WriteLine($"[{name}] step {report.Step}: held-out {Describe(point)}, mean train reward {report.RewardMeans[0]:F3}, {elapsed:F0} s");
        }

        return new ArmResult(name, curriculum, rolloutsPerStep, curve, Normalize(runPrompts), finalMetrics);
    }

    private static async Task<CurvePoint> EvaluateAsync(
        IPipelineTrainer trainer, int step, long rollouts, double[] shares, double[] secValues, double elapsed, CancellationToken cancellationToken)
    {
        // The trainer's own greedy evaluation on its held-out set; the accuracy reward tallies the categories meanwhile.
        CategoryTally.Start();
        EvaluationResult result;
        double[] categories;
        try
        {
            result = await trainer.EvaluateAsync($"step{step}", cancellationToken);
        }
        finally
        {
            // Never left counting: training steps score with the same reward.
            categories = CategoryTally.Stop();
        }

        return new CurvePoint(step, rollouts, result.Accuracy, categories, shares.ToArray(), secValues, elapsed);
    }

    // Q of the arm of each category (1, 2, 3 digits), from the sec/arm{i}/key and sec/arm{i}/q metrics.
    private static double[] SecValues(StepReport report)
    {
        var values = new[] { double.NaN, double.NaN, double.NaN };
        for (int arm = 0; ; arm++)
        {
            int keyIndex = IndexOf(report, $"sec/arm{arm}/key");
            if (keyIndex < 0) break;
            double key = report.Extra[keyIndex];
            if (double.IsFinite(key) && key is >= 1 and <= 3) values[(int)key - 1] = Metric(report, $"sec/arm{arm}/q");
        }

        return values;
    }

    private static double Metric(StepReport report, string metric)
    {
        int index = IndexOf(report, metric);
        return index < 0 ? double.NaN : report.Extra[index];
    }

    private static int IndexOf(StepReport report, string metric)
    {
        for (int i = 0; i < report.ExtraNames.Count; i++)
        {
            if (report.ExtraNames[i] == metric) return i;
        }

        return -1;
    }

    private static double[] Normalize(double[] counts)
    {
        double total = counts.Sum();
        return counts.Select(c => total > 0 ? c / total : double.NaN).ToArray();
    }

    private static string Describe(CurvePoint point) =>
        $"{point.Accuracy:F3} (1d {point.CategoryAccuracy[0]:F3}, 2d {point.CategoryAccuracy[1]:F3}, 3d {point.CategoryAccuracy[2]:F3})";
}
