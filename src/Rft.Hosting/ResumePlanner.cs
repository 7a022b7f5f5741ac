using Rft.Training;

namespace Rft.Hosting;

/// <summary>
/// Decides whether and from where a run resumes (<c>--Rft:Resume=latest</c> or a run directory), reading only: the
/// run directory, its <c>options.json</c> compared with the options given now, and its checkpoints, verified newest
/// first. Everything that stops a resume is a <see cref="ResumeRefusedException"/> whose message says what to do.
/// </summary>
internal static class ResumePlanner
{
    /// <summary>The value of <c>Rft:Resume</c> that picks the newest run directory of the pipeline.</summary>
    public const string Latest = "latest";

    public static ResumePlan Plan(IRftOptions options, string pipeline)
    {
        string runDirectory = Locate(options.Resume!.Trim(), options.RunDirectory, pipeline);

        System.Text.Json.JsonElement started;
        try
        {
            started = RunDirectory.ReadOptions(runDirectory);
        }
        catch (FormatException e)
        {
            throw new ResumeRefusedException($"Rft:Resume: {e.Message}");
        }

        var changes = ResumeOptions.Compare(started, RunDirectory.SerializeOptions(options));
        var math = changes.Where(c => c.ChangesMath).ToList();
        if (math.Count > 0 && !options.ResumeOverride)
        {
            throw new ResumeRefusedException(
                $"Rft:Resume: {runDirectory} started with other values of {(math.Count == 1 ? "an option that changes" : $"{math.Count} options that change")} the run's math:" +
                string.Concat(math.Select(change => $"{Environment.NewLine}  {change}")) + Environment.NewLine +
                "Resume with the values the run started with (drop these options), or pass --Rft:ResumeOverride=true to continue with the new ones anyway.");
        }

        var store = new CheckpointStore(runDirectory, pipeline);
        var chosen = store.SelectNewestValid(out var damaged);
        if (chosen is null)
        {
            if (damaged.Count == 0)
            {
                throw new ResumeRefusedException(
                    $"Rft:Resume: {runDirectory} has no checkpoint to resume from: the run stopped before its first (Rft:CheckpointEvery sets how often one is written). Start a new run instead.");
            }

            throw new ResumeRefusedException(
                $"Rft:Resume: no checkpoint of {runDirectory} is complete and intact, so there is nothing to resume from:" +
                string.Concat(damaged.Select(c => $"{Environment.NewLine}  {c.Problem!.Message}")));
        }

        // A run killed after its final checkpoint but before summary.json said it completed is finished, not refused: it
        // resumes at its last step, trains nothing more, evaluates and writes the summary.
        if (chosen.Manifest!.Reason == CheckpointReason.Completed && SummarySaysCompleted(runDirectory))
        {
            throw new ResumeRefusedException(
                $"Rft:Resume: {runDirectory} completed every step (its checkpoint {chosen.Directory} is at {chosen.Manifest.Position}); there is nothing to resume. " +
                $"To train further from its weights, start a new run with --Rft:PolicyPath={chosen.Directory}.");
        }

        return new ResumePlan(runDirectory, chosen, damaged, changes);
    }

    private static bool SummarySaysCompleted(string runDirectory)
    {
        string path = Path.Combine(runDirectory, "summary.json");
        if (!File.Exists(path)) return false;
        try
        {
            using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(path));
            return summary.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && summary.RootElement.TryGetProperty("completed", out var completed) && completed.ValueKind == System.Text.Json.JsonValueKind.True;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;   // cut short by the kill: the run had not finished writing it
        }
    }

    private static string Locate(string resume, string root, string pipeline)
    {
        if (string.Equals(resume, Latest, StringComparison.OrdinalIgnoreCase))
        {
            return RunDirectory.FindLatest(root, pipeline)
                ?? throw new ResumeRefusedException(
                    $"Rft:Resume=latest: no run of {pipeline} under {Path.GetFullPath(root)} (Rft:RunDirectory) to resume. Name the run directory, or start a new run without Rft:Resume.");
        }

        string? directory = Directory.Exists(resume) ? resume : Directory.Exists(Path.Combine(root, resume)) ? Path.Combine(root, resume) : null;
        if (directory is null)
        {
            throw new ResumeRefusedException(
                $"Rft:Resume = '{resume}' does not exist (looked for {Path.GetFullPath(resume)} and {Path.GetFullPath(Path.Combine(root, resume))}): " +
                $"give a run directory, such as {Path.Combine(root, pipeline + "-<time>-seed<seed>")}, or latest.");
        }

        directory = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        if (!File.Exists(Path.Combine(directory, RunDirectory.OptionsFile)))
        {
            string name = Path.GetFileName(directory);
            string? parent = Path.GetDirectoryName(directory);
            bool checkpoint = name is CheckpointStore.FinalFolderName or CheckpointStore.FailedFolderName || Path.GetFileName(parent) == CheckpointStore.FolderName;
            string run = checkpoint && parent is not null ? (Path.GetFileName(parent) == CheckpointStore.FolderName ? Path.GetDirectoryName(parent)! : parent) : directory;
            throw new ResumeRefusedException(checkpoint
                ? $"Rft:Resume = '{resume}' is a checkpoint folder; give its run directory, {run}: the newest intact checkpoint there is chosen."
                : $"Rft:Resume = '{resume}' is not a run directory: {directory} has no {RunDirectory.OptionsFile}.");
        }

        return directory;
    }
}
