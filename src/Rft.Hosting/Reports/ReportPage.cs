using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Rft.Hosting.Reports;

/// <summary>
/// Writes a run's report as one self-contained HTML page: inline CSS and inline SVG plots, no script and no link to
/// anything outside the file, so it opens offline and can be mailed or archived with the run.
/// </summary>
internal sealed class ReportPage
{
    private const string Style = """
        body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #222; background: #fafafa; }
        h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }
        h3 { font-size: 14px; margin: 18px 0 6px; }
        .meta { color: #555; font-size: 13px; }
        .plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(570px, 1fr)); gap: 12px; }
        figure.plot { margin: 0; background: #fff; border: 1px solid #e2e2e2; padding: 4px; text-align: center; }
        figure.plot figcaption { font-size: 12px; color: #555; padding: 2px 6px 4px; text-align: left; }
        table { border-collapse: collapse; font-size: 13px; background: #fff; margin-bottom: 12px; }
        th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
        th { background: #f0f0f0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
        code.text { white-space: pre-wrap; word-break: break-all; }
        .ok { color: #2ca02c; font-weight: bold; } .no { color: #d62728; font-weight: bold; }
        .missing { color: #777; font-size: 13px; }
        details { margin: 8px 0; } summary { cursor: pointer; }
        """;

    private readonly RunData _run;
    private readonly StringBuilder _html = new();
    private readonly List<string> _notMeasured = [];
    private int _plots;

    private ReportPage(RunData run) => _run = run;

    /// <summary>The page for <paramref name="run"/>.</summary>
    public static string Render(RunData run) => new ReportPage(run).Build();

    private string Build()
    {
        string pipeline = _run.SummaryText("pipeline") ?? Path.GetFileName(_run.Directory);
        _html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        _html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        _html.Append($"<title>{Encode(pipeline)} run report: {Encode(Path.GetFileName(_run.Directory))}</title>\n");
        _html.Append("<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");
        _html.Append($"<h1>{Encode(pipeline)}</h1>\n<p class=\"meta\">{Encode(_run.Directory)}</p>\n");
        WriteOverview();
        WriteRl();
        WriteSources();
        WriteOtherMetrics();
        WriteEvaluations();
        WriteWarmUp();
        WriteSamples();
        WriteOptions();
        if (_notMeasured.Count > 0)
        {
            _html.Append($"<p class=\"missing\" id=\"not-measured\">Not reported by this run: {Encode(string.Join(", ", _notMeasured))}.</p>\n");
        }

        _html.Append("</body>\n</html>\n");
        return _html.ToString();
    }

    private void WriteOverview()
    {
        string[] keys =
        [
            "completed", "interrupted", "failed_during", "error", "seed", "sft_steps", "rl_steps", "sft_accuracy", "rl_accuracy",
            "wall_seconds", "policy_parameters", "trainable_parameters", "lora_trainable_parameter_share", "checkpoint",
        ];
        var rows = keys.Select(k => (k, _run.SummaryText(k))).Where(r => r.Item2 is not null).ToList();
        _html.Append("<h2 id=\"overview\">Overview</h2>\n");
        if (rows.Count == 0)
        {
            _html.Append("<p class=\"missing\">No summary.json: the run has not finished.</p>\n");
            return;
        }

        _html.Append("<table id=\"summary\">\n");
        foreach (var (key, value) in rows) _html.Append($"<tr><th>{Encode(key)}</th><td>{Encode(value!)}</td></tr>\n");
        _html.Append("</table>\n");
    }

    private void WriteRl()
    {
        if (!_run.HasPhase("rl")) return;
        _html.Append("<h2 id=\"rl\">Reinforcement learning</h2>\n<div class=\"plots\">\n");
        var rewards = Chart("Rewards", "RL step", "mean over the step's completions");
        foreach (var reward in _run.SeriesStartingWith("rl", "reward/")) rewards.Steps(reward.Name["reward/".Length..], reward.Points);
        Figure(rewards, "rewards", "Each reward's mean over the step's completions, before weighting.");

        var accuracy = Chart("Accuracy", "RL step", "share correct").WithRange(0, 1);
        accuracy.Steps("rollouts", Points("rl", "accuracy"));
        accuracy.Points("held-out (greedy)", HeldOutPoints());
        Figure(accuracy, "accuracy", "Share of the step's sampled completions the accuracy reward scored correct; held-out greedy accuracy at each evaluation (after the warm-up at step 0, every EvalEvery steps, and at the end).");

        Single("rl", "kl", "KL to the reference", "mean KL per token", "kl", "KL divergence to the reference policy over completion tokens (needs a KL term).");
        Single("rl", "entropy", "Entropy", "nats per token", "entropy", "Policy entropy over completion tokens (computed when a term reads it).");
        var clip = Chart("Clip fraction", "RL step", "share of tokens");
        clip.Steps("clip_fraction", Points("rl", "clip_fraction"));
        clip.Steps("high (A > 0, ratio > 1 + ClipHigh)", Points("rl", "clip_fraction_high"));
        clip.Steps("low (A < 0, ratio < 1 - ClipLow)", Points("rl", "clip_fraction_low"));
        Figure(clip, "clip-fraction", "Share of completion tokens whose importance ratio was clipped, and its two sides; 0 with one update per rollout (PpoEpochs x MiniBatches = 1).");
        Single("rl", "approx_kl", "Policy change per step", "approximate KL, old to updated", "approx-kl", "verl's ppo_kl: how far the step's updates moved the policy from the one that sampled (mean over the update's tokens).");
        Single("rl", "completion_length", "Completion length", "tokens", "completion-length", "Mean generated tokens per completion, the stop token included.");
        Single("rl", "zero_variance_groups", "Zero-variance groups", "share of groups", "zero-variance", "Share of groups whose rewards were all equal: no learning signal.", range: (0, 1));
        Single("rl", "lr", "Learning rate", "learning rate", "learning-rate", "The schedule's learning rate at each step.");
        Single("rl", "loss", "Loss", "loss", "loss", "The step's total loss.");
        Single("rl", "grad_norm", "Gradient norm", "global norm before clipping", "grad-norm", "The gradients' global norm before clipping.");
        _html.Append("</div>\n");
    }

    private void WriteSources()
    {
        var shares = _run.SeriesStartingWith("rl", "source/").Where(s => s.Name.EndsWith("/share", StringComparison.Ordinal)).ToArray();
        if (shares.Length == 0) return;
        _html.Append("<h2 id=\"sources\">Data mixture</h2>\n<div class=\"plots\">\n");
        foreach (var (suffix, title, axis, id, caption, range) in new[]
        {
            ("/share", "Per-source share", "share of the step's prompts", "source-share", "Which source each step's prompts came from.", true),
            ("/accuracy", "Per-source accuracy", "share correct", "source-accuracy", "Accuracy of the step's completions, by the source of their prompt.", true),
            ("/reward", "Per-source reward", "mean weighted reward", "source-reward", "Mean weighted reward of the step's completions, by source.", false),
        })
        {
            var chart = Chart(title, "RL step", axis);
            if (range) chart.WithRange(0, 1);
            foreach (var series in _run.SeriesStartingWith("rl", "source/").Where(s => s.Name.EndsWith(suffix, StringComparison.Ordinal)))
                chart.Steps(series.Name["source/".Length..^suffix.Length], series.Points);
            Figure(chart, id, caption);
        }

        _html.Append("</div>\n");
    }

    // Curriculum state and other pipeline metrics (sec/arm0/q, staged/stage, dynamic/rounds): one plot per prefix.
    private void WriteOtherMetrics()
    {
        string[] known = ["loss", "lr", "grad_norm", "accuracy", "kl", "entropy", "clip_fraction", "clip_fraction_high", "clip_fraction_low", "approx_kl",
            "optimizer_steps", "reward_timeouts", "completion_length", "zero_variance_groups", "masked_samples", "val_accuracy", "seconds"];
        var groups = _run.AllSeries("rl")
            .Where(s => !known.Contains(s.Name) && !s.Name.StartsWith("reward/", StringComparison.Ordinal) && !s.Name.StartsWith("source/", StringComparison.Ordinal))
            .GroupBy(s => s.Name.Split('/')[0])
            .ToArray();
        if (groups.Length == 0) return;
        _html.Append("<h2 id=\"other\">Curriculum and other metrics</h2>\n<div class=\"plots\">\n");
        foreach (var group in groups)
        {
            var chart = Chart(group.Key, "RL step", "value");
            foreach (var series in group) chart.Steps(series.Name, series.Points);
            Figure(chart, "other-" + group.Key, $"The pipeline's {group.Key} metrics.");
        }

        _html.Append("</div>\n");
    }

    private void WriteEvaluations()
    {
        _html.Append("<h2 id=\"evaluations\">Held-out evaluations</h2>\n");
        if (_run.Evaluations.Count == 0 && _run.HeldOut is null && Points("rl", "val_accuracy").Count == 0)
        {
            _html.Append("<p class=\"missing\">No evaluation was recorded.</p>\n");
            return;
        }

        if (_run.Evaluations.Count > 0)
        {
            _html.Append("<table id=\"evaluation-table\">\n<tr><th>evaluation</th><th>correct</th><th>problems</th><th>greedy accuracy</th></tr>\n");
            foreach (var e in _run.Evaluations)
                _html.Append($"<tr><td>{Encode(e.Name)}</td><td class=\"num\">{e.Correct}</td><td class=\"num\">{e.Problems}</td><td class=\"num\">{Number(e.Accuracy)}</td></tr>\n");
            _html.Append("</table>\n");
        }

        var during = Points("rl", "val_accuracy");
        if (during.Count > 0 || _run.Evaluations.Count > 0)
        {
            _html.Append("<div class=\"plots\">\n");
            var chart = Chart("Held-out accuracy", "RL step", "greedy accuracy").WithRange(0, 1);
            chart.Points("held-out (greedy)", HeldOutPoints());
            Figure(chart, "held-out", "Greedy accuracy on the held-out records: after the warm-up (step 0), every EvalEvery RL steps, and after RL.");
            _html.Append("</div>\n");
        }

        if (_run.HeldOut is { } heldOut) WriteEvalVerb(heldOut);
    }

    // eval.json, written into the run directory by the eval verb.
    private void WriteEvalVerb(JsonElement eval)
    {
        _html.Append("<h3 id=\"eval-verb\">The eval verb (eval.json)</h3>\n<table>\n");
        foreach (var key in new[] { "model", "problems", "k", "samples_per_problem", "temperature", "pass_at_k" })
        {
            if (eval.TryGetProperty(key, out var value)) _html.Append($"<tr><th>{Encode(key)}</th><td>{Value(value)}</td></tr>\n");
        }

        foreach (var kind in new[] { "greedy", "sampled" })
        {
            if (!eval.TryGetProperty(kind, out var stats)) continue;
            string accuracy = stats.TryGetProperty("accuracy", out var a) ? Value(a) : "?";
            string length = stats.TryGetProperty("mean_completion_tokens", out var l) ? Value(l) : "?";
            _html.Append($"<tr><th>{kind} accuracy</th><td>{accuracy}</td></tr>\n<tr><th>{kind} completion tokens</th><td>{length}</td></tr>\n");
        }

        _html.Append("</table>\n");
    }

    private void WriteWarmUp()
    {
        if (!_run.HasPhase("sft")) return;
        _html.Append("<h2 id=\"sft\">Supervised warm-up</h2>\n<div class=\"plots\">\n");
        Single("sft", "loss", "Warm-up loss", "cross-entropy", "sft-loss", "Cross-entropy on the demonstrations.");
        var validation = Chart("Warm-up validation accuracy", "warm-up step", "greedy accuracy").WithRange(0, 1);
        validation.Points("validation", Points("sft", "val_accuracy"));
        Figure(validation, "sft-validation", "Greedy accuracy on the validation records, which decides when the warm-up stops.");
        Single("sft", "lr", "Warm-up learning rate", "learning rate", "sft-learning-rate", "The warm-up schedule's learning rate.");
        _html.Append("</div>\n");
    }

    private void WriteSamples()
    {
        _html.Append("<h2 id=\"samples\">Sampled completions</h2>\n");
        if (_run.Samples.Count == 0)
        {
            _html.Append("<p class=\"missing\">No samples.jsonl: this run's trainer kept no completions.</p>\n");
            return;
        }

        _html.Append("<p class=\"meta\">The first held-out (or, during the warm-up, validation) records of each evaluation, their greedy completions and rewards.</p>\n");
        var warmUp = _run.Samples.Where(g => g.Phase == "sft").ToArray();
        foreach (var group in _run.Samples.Where(g => g.Phase != "sft")) WriteSampleGroup(group);
        if (warmUp.Length > 0)
        {
            _html.Append($"<details><summary>During the warm-up ({warmUp.Length} validations)</summary>\n");
            foreach (var group in warmUp) WriteSampleGroup(group);
            _html.Append("</details>\n");
        }
    }

    private void WriteSampleGroup(SampleGroup group)
    {
        var rewardNames = group.Samples.SelectMany(s => s.Rewards.Select(r => r.Key)).Distinct().ToArray();
        _html.Append($"<h3>{Encode(group.Title)}</h3>\n<table class=\"samples\">\n<tr><th>prompt</th><th>completion</th><th>correct</th><th>reward</th>");
        foreach (var name in rewardNames) _html.Append($"<th>{Encode(name)}</th>");
        _html.Append("</tr>\n");
        foreach (var sample in group.Samples)
        {
            _html.Append($"<tr><td><code class=\"text\">{Encode(sample.Prompt)}</code></td><td><code class=\"text\">{Encode(sample.Completion)}</code></td>");
            _html.Append(sample.Correct ? "<td class=\"ok\">yes</td>" : "<td class=\"no\">no</td>");
            _html.Append($"<td class=\"num\">{Number(sample.Reward)}</td>");
            foreach (var name in rewardNames)
            {
                double? value = sample.Rewards.FirstOrDefault(r => r.Key == name).Value;
                _html.Append($"<td class=\"num\">{Number(value)}</td>");
            }

            _html.Append("</tr>\n");
        }

        _html.Append("</table>\n");
    }

    private void WriteOptions()
    {
        if (_run.Options.Count == 0) return;
        _html.Append("<h2 id=\"options\">Options</h2>\n<details><summary>Every option the run used (options.json)</summary>\n<table>\n");
        foreach (var (key, value) in _run.Options) _html.Append($"<tr><th>Rft:{Encode(key)}</th><td>{Encode(RunData.Text(value))}</td></tr>\n");
        _html.Append("</table>\n</details>\n");
    }

    // Held-out greedy accuracy on the RL step axis: the "sft" evaluation at step 0, checks during RL, the "rl" evaluation at the end.
    private List<(double Step, double Value)> HeldOutPoints()
    {
        var points = new List<(double Step, double Value)>();
        if (_run.Evaluations.FirstOrDefault(e => e.Name == "sft") is { } sft) points.Add((0, sft.Accuracy));
        points.AddRange(Points("rl", "val_accuracy"));
        if (_run.Evaluations.FirstOrDefault(e => e.Name == "rl") is { } rl)
        {
            double last = _run.AllSeries("rl").Select(s => s.Points.Count > 0 ? s.Points[^1].Step : 0).DefaultIfEmpty(0).Max();
            points.Add((last, rl.Accuracy));
        }

        return points;
    }

    private IReadOnlyList<(double Step, double Value)> Points(string phase, string name) => _run.Series(phase, name)?.Points ?? [];

    private void Single(string phase, string metric, string title, string axis, string id, string caption, (double Min, double Max)? range = null)
    {
        var chart = Chart(title, phase == "sft" ? "warm-up step" : "RL step", axis);
        if (range is { } r) chart.WithRange(r.Min, r.Max);
        chart.Steps(metric, Points(phase, metric));
        Figure(chart, id, caption);
    }

    private static ReportChart Chart(string title, string xTitle, string yTitle) => new(title, xTitle, yTitle);

    private void Figure(ReportChart chart, string id, string caption)
    {
        if (!chart.HasData)
        {
            _notMeasured.Add(chart.Title);
            return;
        }

        string smoothing = chart.SmoothingWindow > 0 ? $" Thin: per step; thick: moving average over {chart.SmoothingWindow} steps." : string.Empty;
        _html.Append($"<figure class=\"plot\" id=\"plot-{id}\">\n");
        _html.Append(chart.ToSvg($"svg{++_plots}"));
        _html.Append($"\n<figcaption>{Encode(caption + smoothing)}</figcaption>\n</figure>\n");
    }

    // A JSON value for a table cell: numbers to four decimals, text escaped.
    private static string Value(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? Number(value.GetDouble()) : Encode(RunData.Text(value));

    private static string Number(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("0.####", CultureInfo.InvariantCulture) : "&ndash;";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
