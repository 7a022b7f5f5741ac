namespace Rft.Hosting.Reports;

/// <summary>The <c>report</c> verb: reads a run directory (the newest run's by default) and writes its report.html.</summary>
internal static class ReportCommand
{
    /// <summary>Exit codes: 0 written, 2 no run or a malformed run file (the message names it).</summary>
    public static int Run(ReportOptions options, string runRoot, RftConsole console)
    {
        string? run = options.Run ?? RunDirectory.Newest(runRoot, r => File.Exists(Path.Combine(r, "metrics.jsonl")));
        if (run is null)
        {
            console.Error.WriteLine($"report: no run directory given and no run under the run root {Path.GetFullPath(runRoot)} (set by Rft:RunDirectory); train first, or pass the run's directory.");
            return TrainingOutcome.InvalidOptions;
        }

        if (!Directory.Exists(run))
        {
            console.Error.WriteLine($"report: the run directory {Path.GetFullPath(run)} does not exist.");
            return TrainingOutcome.InvalidOptions;
        }

        RunData data;
        try
        {
            data = RunData.Read(run);
        }
        catch (InvalidDataException exception)
        {
            console.Error.WriteLine($"report: {exception.Message}");
            return TrainingOutcome.InvalidOptions;
        }

        string output = Path.GetFullPath(options.Output ?? Path.Combine(run, "report.html"));
        if (Path.GetDirectoryName(output) is { Length: > 0 } directory) Directory.CreateDirectory(directory);
        File.WriteAllText(output, ReportPage.Render(data));
        console.Out.WriteLine($"report: wrote {output}");
        return TrainingOutcome.Success;
    }
}
