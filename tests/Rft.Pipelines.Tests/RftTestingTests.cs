using Rft.Runtime.Tests;
using Rft.Testing;

namespace Rft.Pipelines.Tests;

/// <summary>
/// Rft.Testing, the helper a user's snapshot test runs, regenerates a built pipeline from its
/// project folder exactly as the build did: same references, same entry-point setting, same text.
/// </summary>
public class RftTestingTests
{
    [Fact]
    public void A_built_example_regenerates_from_its_project_folder_as_the_build_wrote_it()
    {
        var project = Path.Combine(SharedFiles.RepositoryRoot, "examples", "Gsm8k");

        var run = RftGeneratorRun.OfProject(project, typeof(global::Gsm8k.Gsm8k).Assembly);

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationProblems());
        Assert.Equal(new[] { "Host", "Options", "Trainer" }, run.Files.Select(f => f.Part));
        Assert.All(run.Files, f => Assert.Equal("Gsm8k.Gsm8k", f.Pipeline));
        // The example sets RftEmitEntryPoint; the helper reads that off the built assembly's Main.
        Assert.Contains("Main(string[] args)", run.File(".Host.g.cs"), StringComparison.Ordinal);

        // The build wrote its files under obj/ (EmitCompilerGeneratedFiles): the same text.
        var built = BuildGeneratedFolder(project);
        foreach (var file in run.Files)
            Assert.Equal(File.ReadAllText(Path.Combine(built, file.HintName)), file.Text);
    }

    [Fact]
    public void A_missing_or_empty_project_folder_is_named_in_the_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), "rft-no-such-project-" + Guid.NewGuid().ToString("N"));
        var notFound = Assert.Throws<DirectoryNotFoundException>(() => PipelineSources.FromProject(missing));
        Assert.Contains(missing, notFound.Message, StringComparison.Ordinal);

        var empty = Directory.CreateDirectory(missing).FullName;
        try
        {
            var noSources = Assert.Throws<ArgumentException>(() => PipelineSources.FromProject(empty));
            Assert.Contains(empty, noSources.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    /// <summary>The generator's output folder of the example's newest build (whatever its configuration).</summary>
    private static string BuildGeneratedFolder(string project)
    {
        var folders = Directory.GetDirectories(Path.Combine(project, "obj"), "Rft.Generators.RftGenerator", SearchOption.AllDirectories);
        Assert.True(folders.Length > 0, $"No generated files under {project}/obj: build the example with EmitCompilerGeneratedFiles.");
        return folders.OrderByDescending(Directory.GetLastWriteTimeUtc).First();
    }
}
