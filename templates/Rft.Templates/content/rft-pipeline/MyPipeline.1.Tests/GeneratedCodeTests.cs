using System.Reflection;
using Rft.Testing;
using Snapshooter;
using Snapshooter.Xunit;

namespace MyPipeline._1.Tests;

/// <summary>
/// The code the Rft generator writes for the pipeline (options, trainer, host), compared with the
/// snapshots in __snapshots__. They were written by the generator version this project references,
/// so a change to the pipeline or a new Rft version shows up here as a diff to review: on a
/// mismatch Snapshooter writes the new code to __snapshots__/__mismatch__/; if the change is
/// intended, move it over the old snapshot. Set SNAPSHOOTER_STRICT_MODE=true (CI) so that a
/// missing snapshot fails instead of being written.
/// </summary>
public class GeneratedCodeTests
{
    private static readonly string PipelineProject = typeof(GeneratedCodeTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "PipelineProjectDirectory").Value!;

    [Fact]
    public void Generated_code_matches_the_snapshots()
    {
        var run = RftGeneratorRun.OfProject(PipelineProject, typeof(global::MyPipeline._1.MyPipeline__1).Assembly);

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationProblems());
        Assert.Equal(new[] { "Host", "Options", "Trainer" }, run.Files.Select(f => f.Part));
        // One snapshot per part, named so that renaming the pipeline keeps the files' names.
        foreach (var file in run.Files)
            Snapshot.Match(file.Text, SnapshotNameExtension.Create(file.Part));
    }
}
