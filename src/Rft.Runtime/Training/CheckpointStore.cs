using System.Text;

namespace Rft.Training;

/// <summary>
/// The checkpoints of one run directory, written so that a process killed at any instant leaves every
/// complete checkpoint intact:
/// <list type="number">
/// <item>the trainer writes its files into <c>checkpoints/.tmp-&lt;name&gt;</c>;</item>
/// <item>each file is flushed to the disk and listed with its size and SHA-256 in <c>manifest.json</c>, written last;</item>
/// <item>the folder is renamed into place (<c>checkpoints/rl-000040</c>, or <c>checkpoint</c> at the end of a run) and its parent flushed;</item>
/// <item><c>checkpoints/latest</c>, naming the newest complete checkpoint, is replaced atomically;</item>
/// <item>periodic checkpoints beyond the newest <c>keep</c> are removed.</item>
/// </list>
/// A half-written checkpoint is only ever a <c>.tmp-</c> folder, which is ignored and cleaned up.
/// </summary>
public sealed class CheckpointStore
{
    /// <summary>The folder of periodic checkpoints, under the run directory.</summary>
    public const string FolderName = "checkpoints";

    /// <summary>The checkpoint written when a run completes or is stopped on request, under the run directory.</summary>
    public const string FinalFolderName = "checkpoint";

    /// <summary>The checkpoint written after a failure, under the run directory; never resumed.</summary>
    public const string FailedFolderName = "checkpoint-failed";

    /// <summary>The file under <see cref="FolderName"/> that names the newest complete checkpoint, relative to the run directory.</summary>
    public const string LatestFile = "latest";

    /// <summary>Prefix of a checkpoint set aside because it failed verification; such folders are kept for inspection and never read.</summary>
    public const string DamagedPrefix = "damaged-";

    private const string TemporaryPrefix = ".tmp-";
    private const string TrashPrefix = ".trash-";

    private readonly TimeProvider _time;

    public CheckpointStore(string runDirectory, string pipeline, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDirectory);
        ArgumentException.ThrowIfNullOrEmpty(pipeline);
        RunDirectory = Path.GetFullPath(runDirectory);
        Pipeline = pipeline;
        _time = time ?? TimeProvider.System;
    }

    public string RunDirectory { get; }

    public string Pipeline { get; }

    /// <summary><c>&lt;run&gt;/checkpoints</c>.</summary>
    public string Folder => Path.Combine(RunDirectory, FolderName);

    /// <summary>
    /// Writes the periodic checkpoint <c>checkpoints/&lt;phase&gt;-&lt;step&gt;</c>: <paramref name="save"/> writes the files
    /// into the folder it is given (which does not exist yet), then the manifest, the rename, the pointer and the
    /// pruning follow. Returns the checkpoint's folder.
    /// </summary>
    /// <param name="keep">How many periodic checkpoints to keep, this one included (at least 1).</param>
    public string WritePeriodic(CheckpointPosition position, int sftSteps, int keep, Action<string> save)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        string target = Path.Combine(Folder, position.FolderName);
        Write(target, position, sftSteps, CheckpointReason.Periodic, save);
        Prune(keep);
        return target;
    }

    /// <summary>
    /// Writes the end-of-run checkpoint: <c>checkpoint</c> when the run <see cref="CheckpointReason.Completed"/> or was
    /// <see cref="CheckpointReason.Interrupted"/>, <c>checkpoint-failed</c> when it <see cref="CheckpointReason.Failed"/>;
    /// a folder of that name from an earlier process is replaced once the new one is complete.
    /// </summary>
    public string WriteFinal(CheckpointPosition position, int sftSteps, CheckpointReason reason, Action<string> save)
    {
        if (reason == CheckpointReason.Periodic) throw new ArgumentException("A periodic checkpoint is written by WritePeriodic.", nameof(reason));
        string target = Path.Combine(RunDirectory, reason == CheckpointReason.Failed ? FailedFolderName : FinalFolderName);
        Write(target, position, sftSteps, reason, save);
        return target;
    }

    /// <summary>
    /// The newest checkpoint that verifies (every file whole and matching the manifest, written by this pipeline),
    /// or null when none does; <paramref name="rejected"/> receives each newer checkpoint that failed, newest first,
    /// with its problem. Periodic checkpoints and <c>checkpoint</c> compete by position; <c>checkpoint-failed</c>
    /// is never chosen (it may hold a step cut short by the failure).
    /// </summary>
    public CheckpointCandidate? SelectNewestValid(out IReadOnlyList<CheckpointCandidate> rejected)
    {
        RemoveLeftovers();
        var failures = new List<CheckpointCandidate>();
        rejected = failures;
        foreach (var candidate in ListNewestFirst())
        {
            if (candidate.Problem is not null)
            {
                failures.Add(candidate);
                continue;
            }

            try
            {
                var manifest = CheckpointManifest.Verify(candidate.Directory, Pipeline);
                return candidate with { Manifest = manifest };
            }
            catch (InvalidCheckpointException problem)
            {
                failures.Add(candidate with { Manifest = null, Problem = problem });
            }
        }

        return null;
    }

    /// <summary>
    /// Renames a checkpoint that failed verification to <c>checkpoints/damaged-&lt;name&gt;</c>, where it is kept for
    /// inspection but never read or counted again. Returns the new folder.
    /// </summary>
    public string SetAside(CheckpointCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        Directory.CreateDirectory(Folder);
        string name = DamagedPrefix + Path.GetFileName(candidate.Directory);
        string destination = Path.Combine(Folder, name);
        for (int suffix = 2; Directory.Exists(destination) || File.Exists(destination); suffix++)
            destination = Path.Combine(Folder, $"{name}-{suffix}");
        Directory.Move(candidate.Directory, destination);
        DurableFiles.FlushFolder(Folder);
        DurableFiles.FlushFolder(Path.GetDirectoryName(candidate.Directory)!);
        return destination;
    }

    /// <summary>The checkpoint <c>checkpoints/latest</c> names, when the file is readable and the folder exists; null otherwise.</summary>
    public string? Latest() => LatestOf(RunDirectory);

    /// <summary>The checkpoint the <c>checkpoints/latest</c> of <paramref name="runDirectory"/> names, when readable and there; null otherwise.</summary>
    public static string? LatestOf(string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        string pointer = Path.Combine(runDirectory, FolderName, LatestFile);
        try
        {
            if (!File.Exists(pointer) || new FileInfo(pointer).Length > 4096) return null;
            string relative = File.ReadAllText(pointer).Trim();
            if (relative.Length == 0 || Path.IsPathRooted(relative) || relative.Split('/').Contains("..")) return null;
            string directory = Path.GetFullPath(Path.Combine(runDirectory, relative));
            return Directory.Exists(directory) ? directory : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Every checkpoint folder of the run that may be resumed, newest first, each with its manifest read but its files not yet checked.</summary>
    private List<CheckpointCandidate> ListNewestFirst()
    {
        var candidates = new List<CheckpointCandidate>();
        string final = Path.Combine(RunDirectory, FinalFolderName);
        if (Directory.Exists(final)) candidates.Add(Describe(final, position: null));
        if (Directory.Exists(Folder))
        {
            foreach (string directory in Directory.EnumerateDirectories(Folder))
            {
                if (CheckpointPosition.TryParseFolderName(Path.GetFileName(directory), out var position))
                    candidates.Add(Describe(directory, position));
            }
        }

        // Newest position first; a folder whose position is unknown first of all, so its problem is reported; the
        // end-of-run folder before a periodic one at the same position (it was written after it).
        return candidates
            .OrderByDescending(c => c.Position is null)
            .ThenByDescending(c => c.Position)
            .ThenByDescending(c => Path.GetFileName(c.Directory) == FinalFolderName)
            .ToList();
    }

    private static CheckpointCandidate Describe(string directory, CheckpointPosition? position)
    {
        try
        {
            var manifest = CheckpointManifest.Read(directory);
            return new CheckpointCandidate(directory, manifest.Position, manifest, Problem: null);
        }
        catch (InvalidCheckpointException problem)
        {
            return new CheckpointCandidate(directory, position, Manifest: null, problem);
        }
    }

    private void Write(string target, CheckpointPosition position, int sftSteps, CheckpointReason reason, Action<string> save)
    {
        ArgumentNullException.ThrowIfNull(save);
        Directory.CreateDirectory(Folder);
        RemoveLeftovers();
        string staging = Path.Combine(Folder, TemporaryPrefix + Path.GetFileName(target));
        save(staging);
        if (!Directory.Exists(staging)) throw new InvalidOperationException($"The trainer wrote no checkpoint folder at {staging}.");

        var manifest = CheckpointManifest.Describe(staging, Pipeline, position, sftSteps, reason, _time.GetUtcNow());
        manifest.Write(staging);
        foreach (string folder in Directory.EnumerateDirectories(staging, "*", SearchOption.AllDirectories)) DurableFiles.FlushFolder(folder);
        DurableFiles.FlushFolder(staging);

        // A folder of the same name (an earlier process's) goes to the trash first: a folder cannot be renamed over another.
        string? trash = null;
        if (Directory.Exists(target))
        {
            trash = Path.Combine(Folder, TrashPrefix + Path.GetFileName(target));
            Directory.Move(target, trash);
        }

        Directory.Move(staging, target);
        DurableFiles.FlushFolder(Folder);
        if (Path.GetDirectoryName(target) != Folder) DurableFiles.FlushFolder(Path.GetDirectoryName(target)!);
        if (reason != CheckpointReason.Failed) PointLatestAt(target);
        if (trash is not null) Directory.Delete(trash, recursive: true);
    }

    private void PointLatestAt(string target)
    {
        string relative = Path.GetRelativePath(RunDirectory, target).Replace('\\', '/');
        DurableFiles.WriteAllBytes(Path.Combine(Folder, LatestFile), Encoding.UTF8.GetBytes(relative + "\n"));
    }

    /// <summary>Removes periodic checkpoints beyond the newest <paramref name="keep"/>, renaming each out of sight before deleting it.</summary>
    private void Prune(int keep)
    {
        var periodic = Directory.EnumerateDirectories(Folder)
            .Select(directory => (Directory: directory, Ok: CheckpointPosition.TryParseFolderName(Path.GetFileName(directory), out var position), Position: position))
            .Where(c => c.Ok)
            .OrderByDescending(c => c.Position)
            .Skip(keep)
            .ToList();
        foreach (var (directory, _, _) in periodic)
        {
            string trash = Path.Combine(Folder, TrashPrefix + Path.GetFileName(directory));
            Directory.Move(directory, trash);
            Directory.Delete(trash, recursive: true);
        }

        if (periodic.Count > 0) DurableFiles.FlushFolder(Folder);
    }

    /// <summary>Deletes what a killed process left behind: unfinished checkpoints and checkpoints on their way out.</summary>
    private void RemoveLeftovers()
    {
        if (!Directory.Exists(Folder)) return;
        foreach (string directory in Directory.EnumerateDirectories(Folder))
        {
            string name = Path.GetFileName(directory);
            if (name.StartsWith(TemporaryPrefix, StringComparison.Ordinal) || name.StartsWith(TrashPrefix, StringComparison.Ordinal))
                Directory.Delete(directory, recursive: true);
        }
    }
}
