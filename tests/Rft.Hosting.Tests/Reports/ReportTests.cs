using System.Text.RegularExpressions;

namespace Rft.Hosting.Tests.Reports;

/// <summary>The <c>report</c> verb: a self-contained report.html of a run directory.</summary>
public sealed class ReportTests : IDisposable
{
    // The plots a user looks at, by figure id.
    public static readonly string[] ExpectedPlots =
    [
        "rewards", "accuracy", "kl", "entropy", "clip-fraction", "approx-kl", "completion-length", "zero-variance", "learning-rate", "loss", "grad-norm",
        "source-share", "source-accuracy", "source-reward", "held-out", "sft-loss", "sft-validation", "sft-learning-rate",
    ];

    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task The_report_has_a_plot_for_each_curve_the_evaluations_and_the_sampled_completions_and_links_nothing()
    {
        string run = SyntheticRun.Write(_root.Path);

        var report = await VerbRun.RunAsync(["report", run]);

        Assert.Equal(0, report.ExitCode);
        string path = Path.Combine(run, "report.html");
        Assert.Equal($"report: wrote {path}", report.Out.Trim());
        string html = File.ReadAllText(path);
        foreach (var id in ExpectedPlots)
        {
            var figure = Regex.Match(html, $"<figure class=\"plot\" id=\"plot-{id}\">\\s*<svg [^>]*>(.*?)</svg>", RegexOptions.Singleline);
            Assert.True(figure.Success, $"no plot {id}");
            Assert.Contains("<polyline", figure.Groups[1].Value); // OxyPlot drew its lines
        }

        // Self-contained: no script, no stylesheet link, no reference to anything outside the file.
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(new Regex(@"(src|href)\s*=\s*""(https?:)?//", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex(@"url\((?!#)", RegexOptions.IgnoreCase), html);
        // Each plot's clip paths are its own.
        var ids = Regex.Matches(html, "id=\"(svg\\d+-clipPath\\d+)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());

        // Final evaluations: 0.28 and 0.58 of 500.
        Assert.Matches(new Regex(@"<tr><td>sft</td><td class=""num"">140</td><td class=""num"">500</td><td class=""num"">0.28</td></tr>"), html);
        Assert.Matches(new Regex(@"<tr><td>rl</td><td class=""num"">290</td><td class=""num"">500</td><td class=""num"">0.58</td></tr>"), html);

        // Sampled completions of each evaluation, the text escaped.
        Assert.Contains("<h3>held-out check at rl step 50</h3>", html);
        Assert.Contains("<h3>final evaluation &quot;rl&quot; (after 200 RL steps)</h3>", html);
        Assert.Contains("&lt;b&gt;12&lt;/b&gt;+30=", html);
        Assert.DoesNotContain("<b>12</b>", html);
        Assert.DoesNotContain("not-measured", html);

        // The eval verb's result, from eval.json.
        Assert.Contains("<h3 id=\"eval-verb\">", html);
        Assert.Contains("<tr><th>pass_at_k</th><td>0.5</td></tr>", html);
        Assert.Contains("<tr><th>sampled accuracy</th><td>0.25</td></tr>", html);
    }

    [Fact]
    public async Task Without_a_run_argument_the_newest_run_under_the_run_root_is_reported_and_unmeasured_curves_are_named()
    {
        var none = await VerbRun.RunAsync(["report", $"--Rft:RunDirectory={_root.Path}"]);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("train first, or pass the run's directory", none.Error);

        // A run of the host with the fake trainer: no KL term, constant metrics, samples from its evaluations.
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript());
        var report = await VerbRun.RunAsync(["report", $"--Rft:RunDirectory={_root.Path}"]);

        Assert.Equal(0, report.ExitCode);
        string html = File.ReadAllText(Path.Combine(run.RunDirectory, "report.html"));
        Assert.DoesNotContain("id=\"plot-kl\"", html);
        Assert.Contains("Not reported by this run: KL to the reference", html);
        Assert.Contains("<h3>final evaluation &quot;sft&quot; (after 3 warm-up steps)</h3>", html);
        Assert.Contains("warm-up validation at sft step 2", html);
        Assert.Contains("&lt;b&gt;rl&lt;/b&gt; 1+1=", html);
    }

    [Fact]
    public async Task A_malformed_line_stops_the_report_naming_the_file_and_line()
    {
        string run = SyntheticRun.Write(_root.Path);
        string metrics = Path.Combine(run, "metrics.jsonl");
        var lines = File.ReadAllLines(metrics);
        lines[4] = lines[4][..20];
        File.WriteAllLines(metrics, lines);

        var report = await VerbRun.RunAsync(["report", run]);

        Assert.Equal(2, report.ExitCode);
        Assert.Contains($"report: {metrics}, line 5 is not valid JSON", report.Error);
        Assert.False(File.Exists(Path.Combine(run, "report.html")));
    }

    [Fact]
    public async Task Help_without_a_verb_lists_the_verbs()
    {
        var help = await VerbRun.RunAsync(["--help"]);

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("without a verb it trains (options: --Rft:Key=value)", help.Out);
        foreach (var verb in new[] { "sample", "eval", "report" }) Assert.Matches($"\\n\\s+{verb}\\s+\\S", help.Out);
    }

    [Fact]
    public async Task Report_help_describes_the_argument_and_output()
    {
        var help = await VerbRun.RunAsync(["report", "--help"]);

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("report [<run>] [options]", help.Out);
        Assert.Contains("--output <path>", help.Out);
        Assert.Contains("The run directory (default: the newest run under Rft:RunDirectory).", help.Out);
    }
}
