using Rft.Generators.Tests.Infrastructure;
using Rft.Testing;
using Snapshooter;
using Snapshooter.Xunit;

namespace Rft.Generators.Tests;

/// <summary>
/// The `dotnet new rft-pipeline` template ships the snapshots its own test compares the generated
/// code with (MyPipeline.Tests/__snapshots__), so a new project's first `dotnet test` checks real
/// expectations. This test keeps them equal to what this generator writes for the template's
/// pipeline: a generator change fails here (CI runs Snapshooter in strict mode) until they are
/// updated, exactly like the other snapshots. The names are the ones Snapshooter gives the
/// template test's snapshots (one per part: Host, Options, Trainer). The template's name
/// "MyPipeline.1" has three distinct forms that `dotnet new -n Name` replaces: "MyPipeline.1" (files
/// and folders), "MyPipeline._1" (the namespace) and "MyPipeline__1" (the class); only the first is
/// replaced in file names, so the snapshots' names carry none of them.
/// </summary>
public class TemplateSnapshotTests
{
    private const string TemplateTestSnapshotPrefix = "GeneratedCodeTests.Generated_code_matches_the_snapshots_";

    [Fact]
    public void Template_pipeline_generates_the_code_its_shipped_snapshots_hold()
    {
        var template = RepositoryFiles.Template("rft-pipeline");
        var sources = PipelineSources.FromProject(Path.Combine(template, "MyPipeline.1"));
        var run = GeneratorRun.Of(sources, emitEntryPoint: true);

        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
        Assert.Equal(
            new[] { "MyPipeline._1.MyPipeline__1.Host.g.cs", "MyPipeline._1.MyPipeline__1.Options.g.cs", "MyPipeline._1.MyPipeline__1.Trainer.g.cs" },
            run.Files.Select(f => f.HintName));
        // Snapshooter keeps snapshots in __snapshots__ beside the test's folder, here the template's test project.
        var templateTestProject = Path.Combine(template, "MyPipeline.1.Tests");
        foreach (var file in run.Files)
            Snapshot.Match(file.Text, new SnapshotFullName(TemplateTestSnapshotPrefix + file.Part + ".snap", templateTestProject));
    }
}
