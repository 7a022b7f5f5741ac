using System.CommandLine;
using Rft.Hosting.Commands;

namespace Rft.Hosting.Reports;

/// <summary>The <c>report</c> verb's command line: <c>report [&lt;run directory&gt;] [--output &lt;file&gt;]</c>.</summary>
internal sealed class ReportVerb
{
    private readonly Argument<string?> _run = new("run")
    {
        Description = "The run directory (default: the newest run under Rft:RunDirectory).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<string?> _output = VerbOptions.Path("--output", "Where to write the page (default: <run>/report.html).");

    public ReportVerb()
    {
        Command = new Command(
            "report",
            "Write a self-contained report.html of a run: rewards, accuracy, KL, entropy, clip fraction, completion length, " +
            "zero-variance share, learning rate, per-source shares and accuracy, held-out evaluations and sampled completions.")
        {
            _run, _output,
        };
    }

    public Command Command { get; }

    public ReportOptions Bind(ParseResult result) => new(result.GetValue(_run), result.GetValue(_output));
}
