using Rft.Training;

namespace Rft.Hosting.Tests.Reports;

/// <summary>
/// Writes a run directory as training writes one (the host's own metrics, samples, options and summary writers), with
/// curves shaped like a real run's: a warm-up whose loss falls, then RL whose reward rises through per-step noise.
/// </summary>
public static class SyntheticRun
{
    public const int SftSteps = 60;
    public const int RlSteps = 200;
    public const int EvalEvery = 50;

    private static readonly string[] RewardNames = ["Correct", "Stopped"];
    private static readonly string[] Sources = ["Sums", "Differences"];

    public static string Write(string root)
    {
        string run = RunDirectory.Create(root, "Synthetic", 7, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        RunDirectory.WriteOptions(run, new FakeOptions { RunDirectory = root, Steps = RlSteps });
        var random = new Random(11);
        var summary = new RunSummary("Synthetic", 7, run) { Completed = true, SftSteps = SftSteps, RlSteps = RlSteps, Checkpoint = Path.Combine(run, "checkpoint") };
        using var metrics = new MetricsWriter(Path.Combine(run, "metrics.jsonl"));
        using var samples = new EvaluationSamplesWriter(Path.Combine(run, "samples.jsonl"));

        var sft = new StepReport(TrainingPhase.Sft, []) { TotalSteps = SftSteps };
        for (int step = 1; step <= SftSteps; step++)
        {
            sft.Step = step;
            sft.Loss = 2.4 * Math.Exp(-step / 15.0) + 0.3 + 0.05 * random.NextDouble();
            sft.LearningRate = 1e-3 * Math.Min(1, step / 10.0);
            sft.GradNorm = 1 + random.NextDouble();
            sft.ValidationAccuracy = step % 20 == 0 ? 0.1 * step / 20 : double.NaN;
            sft.Seconds = 0.05;
            metrics.WriteStep(sft);
            if (step % 20 == 0) samples.Write(TrainingPhase.Sft, step, Samples(step, sft.ValidationAccuracy));
        }

        Evaluate("sft", SftSteps, 0.28);
        string[] extraNames = Sources.SelectMany(s => new[] { $"source/{s}/share", $"source/{s}/reward", $"source/{s}/accuracy" }).ToArray();
        var rl = new StepReport(TrainingPhase.Rl, RewardNames, extraNames) { TotalSteps = RlSteps };
        for (int step = 1; step <= RlSteps; step++)
        {
            double progress = (double)step / RlSteps;
            double accuracy = Math.Clamp(0.3 + 0.3 * progress + 0.1 * (random.NextDouble() - 0.5), 0, 1);
            rl.Step = step;
            rl.Loss = 0.02 * (random.NextDouble() - 0.5);
            rl.LearningRate = 1e-4 * (0.5 + 0.5 * Math.Cos(Math.PI * progress)) + 5e-5;
            rl.GradNorm = 0.3 + 0.2 * random.NextDouble();
            rl.RewardMeans[0] = accuracy;
            rl.RewardMeans[1] = Math.Min(1, 0.9 + 0.1 * progress + 0.02 * random.NextDouble());
            rl.Accuracy = accuracy;
            rl.Kl = 0.002 * progress + 0.0005 * random.NextDouble();
            rl.Entropy = 1.2 - 0.5 * progress + 0.05 * random.NextDouble();
            rl.ClipFractionHigh = 0.01 + 0.01 * random.NextDouble();
            rl.ClipFractionLow = 0.01 * random.NextDouble();
            rl.ClipFraction = rl.ClipFractionHigh + rl.ClipFractionLow;
            rl.ApproxKl = 0.001 + 0.002 * random.NextDouble();
            rl.OptimizerSteps = 8;
            rl.MeanCompletionLength = 4.8 - 0.4 * progress + 0.2 * random.NextDouble();
            rl.ZeroVarianceGroupShare = 0.2 + 0.3 * progress + 0.1 * random.NextDouble();
            rl.MaskedSamples = 0;
            double sums = 0.7 + 0.1 * (random.NextDouble() - 0.5);
            for (int s = 0; s < Sources.Length; s++)
            {
                rl.Extra[3 * s] = s == 0 ? sums : 1 - sums;
                rl.Extra[3 * s + 1] = accuracy * (s == 0 ? 1.1 : 0.8) + 0.1;
                rl.Extra[3 * s + 2] = Math.Clamp(accuracy * (s == 0 ? 1.1 : 0.8), 0, 1);
            }

            rl.ValidationAccuracy = step % EvalEvery == 0 && step < RlSteps ? 0.28 + 0.3 * progress : double.NaN;
            rl.Seconds = 0.12;
            metrics.WriteStep(rl);
            if (double.IsFinite(rl.ValidationAccuracy)) samples.Write(TrainingPhase.Rl, step, Samples(step, rl.ValidationAccuracy));
        }

        Evaluate("rl", RlSteps, 0.58);
        summary.Write(wallSeconds: 42.5, metrics.LastStep);

        // What the eval verb leaves in the run: 2 problems, 2 samples each, pass@2 = (1 + 0) / 2.
        var tally = new HeldOutTally(RewardNames, 2, new HeldOutEvaluationSettings(K: 2, Samples: 2, Temperature: 1, TopP: 1, Seed: 0));
        tally.AddGreedy([1f, 1f], true, 3);
        tally.AddGreedy([0f, 1f], false, 4);
        foreach (var (problem, correct) in new[] { (0, true), (0, false), (1, false), (1, false) }) tally.AddSample(problem, [correct ? 1f : 0f, 1f], correct, 3);
        Rft.Hosting.Evaluation.EvalJson.Write(Path.Combine(run, "eval.json"), "Synthetic", Path.Combine(run, "checkpoint"), tally.Finish(1.0));
        return run;

        void Evaluate(string name, int step, double accuracy)
        {
            var result = new EvaluationResult(name, 500, (int)(accuracy * 500), 0.2);
            summary.Add(result);
            metrics.WriteEvaluation(result);
            samples.WriteEvaluation(name, step, Samples(step, accuracy));
        }
    }

    // Four problems, the first ones solved as the accuracy grows; the prompt of the first needs HTML escaping.
    private static EvaluationSample[] Samples(int step, double accuracy) =>
        Enumerable.Range(0, 4).Select(i =>
        {
            bool correct = i < Math.Round(4 * accuracy);
            string prompt = i == 0 ? "<b>12</b>+30=" : $"{100 + i}+{step}=";
            string answer = i == 0 ? "42" : (100 + i + step).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return EvaluationSample.Create(prompt, correct ? answer : "7", RewardNames, [correct ? 1f : 0f, 1f], correct ? 1.1 : 0.1, correct);
        }).ToArray();
}
