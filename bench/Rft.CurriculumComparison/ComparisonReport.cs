using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rft.CurriculumComparison;

/// <summary>
/// The comparison's outcome: both learning curves, each arm's final accuracy and the rollouts each needed to
/// first reach the uniform arm's final held-out accuracy, as markdown (also printed) and JSON.
/// </summary>
public sealed class ComparisonReport(ComparisonSettings settings, WarmUpResult warmUp, ArmResult uniform, ArmResult sec)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The target: the uniform arm's final held-out accuracy.</summary>
    public double Target => uniform.FinalAccuracy;

    /// <summary>The report as markdown.</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        int heldOut = settings.EvalCount;
        md.AppendLine("# Self-Evolving Curriculum vs uniform sampling: arithmetic with 1-, 2- and 3-digit operands");
        md.AppendLine();
        md.AppendLine(inv, $"- Task: a+b / a-b (3:1) with both operands of exactly 1, 2 or 3 digits; three equally weighted sources, one per category.");
        md.AppendLine(inv, $"- Held-out: {heldOut} problems, {heldOut / 3} per category, greedy decoding, exact match "
            + $"(drawn from the same generators with their own seed; there are only 200 distinct 1-digit problems, so those also occur in training).");
        md.AppendLine(inv, $"- Both arms: tiny preset, seed {settings.Seed}, same warm-up, {settings.Steps} GRPO steps of {uniform.RolloutsPerStep} rollouts "
            + $"(prompts per step x group size), {(long)settings.Steps * uniform.RolloutsPerStep} rollouts in all; evaluation every {settings.EvalEvery} steps.");
        string learningRate = settings.LearningRate is double rate ? rate.ToString("G", inv) : "1e-4 (the pipelines' own)";
        md.AppendLine(inv, $"- RL learning rate: {learningRate}, cosine to half of it after 10 warm-up steps.");
        md.AppendLine(inv, $"- Uniform: {uniform.Curriculum}.");
        md.AppendLine(inv, $"- SEC: {sec.Curriculum}.");
        md.AppendLine(inv, $"- One supervised warm-up (batch 128, uniform over the categories), then both arms load its checkpoint: "
            + $"{warmUp.Steps} SFT steps, validation accuracy {warmUp.ValidationAccuracy:F3}, {warmUp.Seconds:F0} s. Step 0 below is this policy.");
        md.AppendLine();

        md.AppendLine("## Learning curves (held-out accuracy)");
        md.AppendLine();
        md.AppendLine("| step | rollouts | uniform | SEC | uniform 1d / 2d / 3d | SEC 1d / 2d / 3d |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|");
        for (int i = 0; i < Math.Min(uniform.Curve.Count, sec.Curve.Count); i++)
        {
            var u = uniform.Curve[i];
            var s = sec.Curve[i];
            md.AppendLine(inv, $"| {u.Step} | {u.Rollouts} | {u.Accuracy:F3} | {s.Accuracy:F3} | {Triple(u.CategoryAccuracy)} | {Triple(s.CategoryAccuracy)} |");
        }

        md.AppendLine();
        md.AppendLine("## Result");
        md.AppendLine();
        double difference = sec.FinalAccuracy - uniform.FinalAccuracy;
        // Binomial standard error of each final accuracy on the held-out set; the arms are scored on the same problems.
        double error = Math.Sqrt(Variance(uniform.FinalAccuracy, heldOut) + Variance(sec.FinalAccuracy, heldOut));
        md.AppendLine(inv, $"- Final held-out accuracy: uniform {uniform.FinalAccuracy:F3}, SEC {sec.FinalAccuracy:F3} "
            + $"(SEC - uniform = {difference:+0.000;-0.000;0.000}; one binomial standard error of the difference ~ {error:F3}).");
        md.AppendLine(inv, $"- Rollouts to first reach the uniform arm's final accuracy ({Target:F3}), at evaluation granularity ({settings.EvalEvery * uniform.RolloutsPerStep} rollouts):");
        md.AppendLine(inv, $"  - uniform: {Reach(uniform)}");
        md.AppendLine(inv, $"  - SEC: {Reach(sec)}");
        md.AppendLine(inv, $"- Verdict: {Verdict(difference, error)}");
        md.AppendLine();

        md.AppendLine("## What each arm trained on");
        md.AppendLine();
        md.AppendLine(inv, $"Share of all RL prompts by category (1d / 2d / 3d): uniform {Triple(uniform.CategoryShares)}, SEC {Triple(sec.CategoryShares)}.");
        md.AppendLine();
        md.AppendLine("| step | SEC prompt shares since previous eval, 1d / 2d / 3d | SEC arm values Q, 1d / 2d / 3d |");
        md.AppendLine("|---:|---:|---:|");
        foreach (var point in sec.Curve.Skip(1))
            md.AppendLine(inv, $"| {point.Step} | {Triple(point.IntervalCategoryShares)} | {Triple(point.SecValues)} |");
        md.AppendLine();

        md.AppendLine("SEC arms after the last step (share = share of the last step's 8 prompts):");
        md.AppendLine();
        md.AppendLine("| arm | key (digits) | Q | share |");
        md.AppendLine("|---:|---:|---:|---:|");
        for (int arm = 0; sec.FinalMetrics.TryGetValue($"sec/arm{arm}/key", out double key); arm++)
        {
            if (!double.IsFinite(key)) continue;
            md.AppendLine(inv, $"| {arm} | {key:F0} | {sec.FinalMetrics[$"sec/arm{arm}/q"]:F4} | {sec.FinalMetrics[$"sec/arm{arm}/share"]:F3} |");
        }

        md.AppendLine();
        md.AppendLine("Per-source metrics of the last step (share of prompts / accuracy of sampled completions):");
        md.AppendLine();
        md.AppendLine("| source | uniform share | uniform accuracy | SEC share | SEC accuracy |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        foreach (string source in new[] { "OneDigit", "TwoDigits", "ThreeDigits" })
        {
            md.AppendLine(inv, $"| {source} | {Get(uniform, $"source/{source}/share"):F3} | {Get(uniform, $"source/{source}/accuracy"):F3} "
                + $"| {Get(sec, $"source/{source}/share"):F3} | {Get(sec, $"source/{source}/accuracy"):F3} |");
        }

        return md.ToString();
    }

    /// <summary>The report as JSON: settings, both arms with their curves, the target and the rollouts to reach it.</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        settings,
        warmUp,
        target = Target,
        uniformRolloutsToTarget = uniform.FirstReaching(Target)?.Rollouts,
        secRolloutsToTarget = sec.FirstReaching(Target)?.Rollouts,
        uniform,
        sec,
    }, Json);

    /// <summary>Writes report.md and report.json into <paramref name="directory"/>.</summary>
    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "report.md"), ToMarkdown());
        File.WriteAllText(Path.Combine(directory, "report.json"), ToJson());
    }

    private string Reach(ArmResult arm)
    {
        var point = arm.FirstReaching(Target);
        return point is null
            ? string.Create(CultureInfo.InvariantCulture, $"not reached in {(long)settings.Steps * arm.RolloutsPerStep} rollouts (best {arm.Curve.Max(p => p.Accuracy):F3})")
            : string.Create(CultureInfo.InvariantCulture, $"{point.Rollouts} rollouts (step {point.Step}, accuracy {point.Accuracy:F3})");
    }

    private string Verdict(double difference, double error)
    {
        var secPoint = sec.FirstReaching(Target);
        var uniformPoint = uniform.FirstReaching(Target)!;
        string speed = secPoint is null
            ? "SEC never reached the uniform arm's final accuracy"
            : secPoint.Rollouts < uniformPoint.Rollouts
                ? string.Create(CultureInfo.InvariantCulture, $"SEC reached the uniform arm's final accuracy with {secPoint.Rollouts} rollouts vs {uniformPoint.Rollouts} ({(double)secPoint.Rollouts / uniformPoint.Rollouts:P0})")
                : secPoint.Rollouts == uniformPoint.Rollouts
                    ? "both reached the uniform arm's final accuracy at the same evaluation"
                    : string.Create(CultureInfo.InvariantCulture, $"uniform reached its final accuracy first ({uniformPoint.Rollouts} vs {secPoint.Rollouts} rollouts)");
        string final = Math.Abs(difference) < 2 * error
            ? "the final accuracies differ by less than two standard errors (one seed: not a significant difference)"
            : difference > 0 ? "SEC ends clearly higher" : "uniform ends clearly higher";
        return $"{speed}; {final}.";
    }

    private static double Get(ArmResult arm, string metric) => arm.FinalMetrics.TryGetValue(metric, out double value) ? value : double.NaN;

    private static double Variance(double p, int n) => p * (1 - p) / n;

    private static string Triple(double[] values) =>
        string.Join(" / ", values.Select(v => double.IsNaN(v) ? "-" : v.ToString("F3", CultureInfo.InvariantCulture)));
}
