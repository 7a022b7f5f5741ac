using System.Reflection;
using Rft.Testing;
using Snapshooter;
using Snapshooter.Xunit;

namespace MyPipeline.Tests;

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
        var run = RftGeneratorRun.OfProject(PipelineProject, typeof(global::MyPipeline.MyPipeline).Assembly);

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationProblems());
        Assert.Equal(3, run.Sources.Count);
        foreach (var (hintName, text) in run.Sources)
            Snapshot.Match(text, SnapshotNameExtension.Create(hintName));
    }
}
