using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rft.OffPolicyComparison;

/// <summary>
/// The comparison's outcome over every arm and seed found: for each seed, the learning curves, each arm's final
/// held-out accuracy and the rollouts it needed to first reach on-policy GRPO's final accuracy, and the mean completion
/// length over training (ReMix's "whipping effect"); as markdown (also printed) and JSON.
/// </summary>
public sealed class ComparisonReport(ComparisonSettings settings, WarmUpResult warmUp, IReadOnlyList<ArmResult> results)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private IEnumerable<int> Seeds => results.Select(r => r.Seed).Distinct().Order();

    private IEnumerable<ArmResult> Of(int seed) =>
        results.Where(r => r.Seed == seed).OrderBy(r => Array.IndexOf(ComparisonSettings.AllArms, r.Name));

    /// <summary>On-policy GRPO's final accuracy with <paramref name="seed"/>: the target of that seed's arms (NaN without a GRPO arm).</summary>
    public double Target(int seed) => results.FirstOrDefault(r => r.Seed == seed && r.Name == "grpo")?.FinalAccuracy ?? double.NaN;

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        var any = results.FirstOrDefault();
        md.AppendLine("# Off-policy RFT on arithmetic: rollouts saved by replay, ReMix, RAFT and online DPO against on-policy GRPO");
        md.AppendLine();
        md.AppendLine("- Task: the Arithmetic example's a+b / a-b (3:1), operands uniform in 0..999; reward: exact answer 1, plus 0.1 for stopping.");
        double learningRate = settings.LearningRate ?? 1e-4;
        md.AppendLine(Inv, $"- Every arm: tiny preset (0.8M parameters), the same warm-up, {settings.Steps} RL steps of {any?.RolloutsPerStep ?? 0} rollouts (8 prompts x 16 completions), learning rate {learningRate:G} (cosine to half after 10 warm-up steps); greedy held-out accuracy on {settings.EvalCount} problems every {settings.EvalEvery} steps. A rollout is one sampled completion.");
        md.AppendLine(Inv, $"- Warm-up (shared): {warmUp.Steps} SFT steps to validation accuracy {warmUp.ValidationAccuracy:F3} ({warmUp.Seconds:F0} s); step 0 below is this policy.");
        foreach (var arm in results.GroupBy(r => r.Name).Select(g => g.First()).OrderBy(r => Array.IndexOf(ComparisonSettings.AllArms, r.Name)))
            md.AppendLine(Inv, $"- {arm.Name}: {arm.Description}.");
        md.AppendLine();

        md.AppendLine("## Result");
        md.AppendLine();
        md.AppendLine("Rollouts each arm needed to first reach on-policy GRPO's final held-out accuracy (same seed), at evaluation granularity, and how many times fewer than GRPO's:");
        md.AppendLine();
        md.AppendLine("| seed | target (GRPO final) | arm | final accuracy | rollouts to target | GRPO / arm | optimizer steps | wall s |");
        md.AppendLine("|---:|---:|---|---:|---:|---:|---:|---:|");
        foreach (int seed in Seeds)
        {
            double target = Target(seed);
            var grpoReach = results.FirstOrDefault(r => r.Seed == seed && r.Name == "grpo")?.FirstReaching(target);
            foreach (var arm in Of(seed))
            {
                var reach = double.IsNaN(target) ? null : arm.FirstReaching(target);
                string rollouts = reach is null ? $"not reached (best {arm.Curve.Max(p => p.Accuracy):F3})" : reach.Rollouts.ToString(Inv);
                string ratio = reach is null || grpoReach is null || reach.Rollouts == 0 ? "-" : ((double)grpoReach.Rollouts / reach.Rollouts).ToString("F2", Inv) + "x";
                md.AppendLine(Inv, $"| {seed} | {target:F3} | {arm.Name} | {arm.FinalAccuracy:F3} | {rollouts} | {ratio} | {arm.Curve[^1].OptimizerSteps} | {arm.Seconds:F0} |");
            }
        }

        md.AppendLine();
        double error = Math.Sqrt(0.25 / settings.EvalCount);
        md.AppendLine(Inv, $"One binomial standard error of a final accuracy on {settings.EvalCount} problems is about {error:F3} (at 0.5), so a single evaluation is noisy. The same comparison with less noise: the target is the mean of GRPO's last three evaluations, and an arm reaches it at the first evaluation where the mean of its last three evaluations does:");
        md.AppendLine();
        md.AppendLine("| seed | target (GRPO, last 3) | arm | rollouts to target (3-point mean) | GRPO / arm |");
        md.AppendLine("|---:|---:|---|---:|---:|");
        foreach (int seed in Seeds)
        {
            var grpo = results.FirstOrDefault(r => r.Seed == seed && r.Name == "grpo");
            if (grpo is null) continue;
            double target = Smoothed(grpo, grpo.Curve.Count - 1);
            var grpoReach = FirstReachingSmoothed(grpo, target);
            foreach (var arm in Of(seed))
            {
                var reach = FirstReachingSmoothed(arm, target);
                string ratio = reach is null || grpoReach is null || reach.Rollouts == 0 ? "-" : ((double)grpoReach.Rollouts / reach.Rollouts).ToString("F2", Inv) + "x";
                md.AppendLine(Inv, $"| {seed} | {target:F3} | {arm.Name} | {(reach is null ? "not reached" : reach.Rollouts.ToString(Inv))} | {ratio} |");
            }
        }
        md.AppendLine();

        foreach (int seed in Seeds)
        {
            var arms = Of(seed).ToList();
            md.AppendLine(Inv, $"## Learning curves, seed {seed} (held-out accuracy)");
            md.AppendLine();
            md.AppendLine("| step | rollouts | " + string.Join(" | ", arms.Select(a => a.Name)) + " |");
            md.AppendLine("|---:|---:|" + string.Concat(arms.Select(_ => "---:|")));
            int points = arms.Min(a => a.Curve.Count);
            for (int i = 0; i < points; i++)
            {
                var first = arms[0].Curve[i];
                md.AppendLine(Inv, $"| {first.Step} | {first.Rollouts} | {string.Join(" | ", arms.Select(a => a.Curve[i].Accuracy.ToString("F3", Inv)))} |");
            }

            md.AppendLine();
            md.AppendLine(Inv, $"### Mean completion length over training, seed {seed} (the whipping effect)");
            md.AppendLine();
            md.AppendLine("Mean tokens per sampled completion (the stop token included), averaged over each stretch of steps:");
            md.AppendLine();
            md.AppendLine("| steps | " + string.Join(" | ", arms.Select(a => a.Name)) + " |");
            md.AppendLine("|---|" + string.Concat(arms.Select(_ => "---:|")));
            int steps = arms.Min(a => a.MeanLengths.Count);
            for (int start = 0; start < steps; start += settings.EvalEvery * 2)
            {
                int end = Math.Min(steps, start + settings.EvalEvery * 2);
                md.AppendLine(Inv, $"| {start + 1}-{end} | {string.Join(" | ", arms.Select(a => MeanLength(a, start, end).ToString("F3", Inv)))} |");
            }

            md.AppendLine();
            md.AppendLine(Inv, $"### Update metrics of the last step, seed {seed} (KL to the reference, approximate KL and clip fraction of the update, off-policy metrics)");
            md.AppendLine();
            foreach (var arm in arms)
            {
                var shown = arm.FinalMetrics.Where(m => double.IsFinite(m.Value) && !m.Key.StartsWith("source/", StringComparison.Ordinal) && !m.Key.StartsWith("prompts/", StringComparison.Ordinal)).ToList();
                if (shown.Count == 0) continue;
                md.AppendLine(Inv, $"- {arm.Name}: {string.Join(", ", shown.Select(m => m.Key + " " + m.Value.ToString("G4", Inv)))}");
            }

            md.AppendLine();
        }

        return md.ToString();
    }

    // The mean accuracy of the evaluations i - 2 to i (fewer at the start of the curve).
    private static double Smoothed(ArmResult arm, int i) => arm.Curve.Skip(Math.Max(0, i - 2)).Take(Math.Min(3, i + 1)).Average(p => p.Accuracy);

    private static CurvePoint? FirstReachingSmoothed(ArmResult arm, double target)
    {
        for (int i = 2; i < arm.Curve.Count; i++)
        {
            if (Smoothed(arm, i) >= target) return arm.Curve[i];
        }

        return null;
    }

    private static double MeanLength(ArmResult arm, int start, int end) =>
        arm.MeanLengths.Skip(start).Take(end - start).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();

    public string ToJson() => JsonSerializer.Serialize(new
    {
        settings,
        warmUp,
        targets = Seeds.ToDictionary(s => s.ToString(Inv), Target),
        rolloutsToTarget = results.Select(r => new { r.Name, r.Seed, rollouts = r.FirstReaching(Target(r.Seed))?.Rollouts, finalAccuracy = r.FinalAccuracy }),
        results,
    }, Json);

    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "report.md"), ToMarkdown());
        File.WriteAllText(Path.Combine(directory, "report.json"), ToJson());
    }
}
