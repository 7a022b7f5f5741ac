using System.Diagnostics;
using System.Globalization;
using System.Text;
using Rft.Training;

namespace Rft.Hosting;

/// <summary>
/// Prints one progress line every <c>LogEvery</c> steps, at the last step of a phase and whenever a
/// validation accuracy was measured; quantities that were not measured (NaN) are left out. Steps per
/// second are measured on the wall clock over the steps since the previous line; an RL step's line also says where its
/// time went (rollout with its tokens per second, scoring, old log-probs, reference, update with its tokens per second).
/// </summary>
internal sealed class ConsoleProgress(TextWriter output, int logEvery)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly int _logEvery = Math.Max(1, logEvery);
    private readonly StringBuilder _line = new(256);

    private long _windowStart;
    private int _windowStartStep = -1;
    private int _lastPrintedStep;

    /// <summary>Starts the step-rate window; call before the phase's first step is requested.</summary>
    public void BeginPhase()
    {
        _windowStart = Stopwatch.GetTimestamp();
        _windowStartStep = -1;
        _lastPrintedStep = 0;
    }

    public void Step(StepReport report)
    {
        if (_windowStartStep < 0)
        {
            // A resumed phase may not start at step 1.
            _windowStartStep = report.Step - 1;
        }

        if (report.Step % _logEvery == 0 || report.Step == report.TotalSteps || double.IsFinite(report.ValidationAccuracy))
        {
            Print(report);
        }
    }

    /// <summary>Prints the phase's last step unless it was printed already (a warm-up that stopped early, an interruption).</summary>
    public void EndPhase(StepReport? last)
    {
        if (last is not null && last.Step != _lastPrintedStep)
        {
            Print(last);
        }
    }

    public void Evaluation(EvaluationResult result) =>
        output.WriteLine(string.Create(Invariant, $"eval {result.Name}: {result.Correct}/{result.Problems} = {result.Accuracy:F3} ({result.Seconds:F1} s)"));

    public void Message(string message) => output.WriteLine(message);

    private void Print(StepReport report)
    {
        var line = _line.Clear();
        var stepWidth = Math.Max(1, report.TotalSteps).ToString(Invariant).Length;
        line.Append(report.Phase == TrainingPhase.Sft ? "sft " : "rl  ")
            .Append(" step ")
            .Append(Invariant, $"{report.Step.ToString(Invariant).PadLeft(stepWidth)}/{report.TotalSteps}");
        Append(line, "loss", report.Loss, "F4");

        for (var i = 0; i < report.RewardNames.Count; i++)
        {
            Append(line, report.RewardNames[i], report.RewardMeans[i], "F2");
        }

        Append(line, "acc", report.Accuracy, "F2");
        Append(line, "kl", report.Kl, "F4");
        Append(line, "ent", report.Entropy, "F2");
        Append(line, "clip", report.ClipFraction, "F2");
        Append(line, "len", report.MeanCompletionLength, "F1");
        Append(line, "zero-var", report.ZeroVarianceGroupShare, "F2");
        if (report.MaskedSamples > 0)
        {
            line.Append(Invariant, $"  masked {report.MaskedSamples}");
        }

        Append(line, "lr", report.LearningRate, "0.0e+00");
        Append(line, "val-acc", report.ValidationAccuracy, "F2");
        AppendTimings(line, report);

        var now = Stopwatch.GetTimestamp();
        var seconds = Stopwatch.GetElapsedTime(_windowStart, now).TotalSeconds;
        var steps = report.Step - _windowStartStep;
        if (steps > 0 && seconds > 0)
        {
            var rate = steps / seconds;
            line.Append("  ").Append(rate.ToString(rate < 10 ? "F2" : "F1", Invariant)).Append(" step/s");
        }

        output.WriteLine(line);
        _windowStart = now;
        _windowStartStep = report.Step;
        _lastPrintedStep = report.Step;
    }

    // Where the step's time went: "roll 0.420s 4876 tok/s  score 0.001s  old 0.050s  ref 0.048s  upd 0.310s 9000 tok/s".
    private static void AppendTimings(StringBuilder line, StepReport report)
    {
        AppendSeconds(line, "roll", report.PhaseSeconds(StepPhase.Rollout));
        AppendRate(line, report.RolloutTokensPerSecond);
        AppendSeconds(line, "score", report.PhaseSeconds(StepPhase.Score));
        AppendSeconds(line, "old", report.PhaseSeconds(StepPhase.OldLogProbs));
        AppendSeconds(line, "ref", report.PhaseSeconds(StepPhase.Reference));
        AppendSeconds(line, "upd", report.PhaseSeconds(StepPhase.Update));
        AppendRate(line, report.UpdateTokensPerSecond);
    }

    private static void AppendSeconds(StringBuilder line, string label, double seconds)
    {
        if (!double.IsNaN(seconds))
        {
            line.Append("  ").Append(label).Append(' ').Append(seconds.ToString("F3", Invariant)).Append('s');
        }
    }

    private static void AppendRate(StringBuilder line, double tokensPerSecond)
    {
        if (!double.IsNaN(tokensPerSecond))
        {
            line.Append(' ').Append(tokensPerSecond.ToString("F0", Invariant)).Append(" tok/s");
        }
    }

    private static void Append(StringBuilder line, string label, double value, string format)
    {
        if (!double.IsNaN(value))
        {
            line.Append("  ").Append(label).Append(' ').Append(value.ToString(format, Invariant));
        }
    }
}
