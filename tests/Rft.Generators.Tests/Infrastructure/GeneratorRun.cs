using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Rft.Testing;

namespace Rft.Generators.Tests.Infrastructure;

/// <summary>
/// One in-process run of <see cref="RftGenerator"/> over some sources (through Rft.Testing, the
/// helper users snapshot their own pipelines with), plus the assertions these tests make on it.
/// </summary>
internal sealed class GeneratorRun
{
    public static CSharpParseOptions ParseOptions => RftGeneratorRun.ParseOptions;

    private readonly RftGeneratorRun _run;

    private GeneratorRun(RftGeneratorRun run) => _run = run;

    public CSharpCompilation Input => _run.Input;

    /// <summary>The input with the generated files added.</summary>
    public Compilation Output => _run.Output;

    public GeneratorDriver Driver => _run.Driver;

    public GeneratorDriverRunResult Result => _run.Result;

    /// <summary>What the generator reported.</summary>
    public ImmutableArray<Diagnostic> Diagnostics => _run.Diagnostics;

    public IReadOnlyList<GeneratedFile> Files => _run.Files;

    /// <summary>Runs the generator over <paramref name="sources"/> (path, text) as one project.</summary>
    public static GeneratorRun Of(IEnumerable<(string Path, string Text)> sources, bool emitEntryPoint = false) =>
        new(RftGeneratorRun.Of(sources, TestReferences.All, emitEntryPoint));

    /// <summary>Runs the generator over a single source file.</summary>
    public static GeneratorRun Of(string source, bool emitEntryPoint = false) => Of(new[] { ("/src/Pipeline.cs", source) }, emitEntryPoint);

    /// <summary>The files of examples/<paramref name="name"/> plus the implicit global usings.</summary>
    public static IEnumerable<(string Path, string Text)> Example(string name) =>
        RepositoryFiles.Example(name)
            .Select(path => ($"/examples/{name}/{Path.GetFileName(path)}", System.IO.File.ReadAllText(path)))
            .Append(($"/examples/{name}/GlobalUsings.g.cs", PipelineSources.ImplicitUsings));

    public static CSharpCompilation CreateCompilation(IEnumerable<(string Path, string Text)> sources, bool executable = false) =>
        RftGeneratorRun.CreateCompilation(sources, TestReferences.All, executable);

    public static GeneratorDriver CreateDriver(bool emitEntryPoint, bool trackSteps = false) =>
        RftGeneratorRun.CreateDriver(emitEntryPoint, trackSteps);

    /// <summary>The text of the one generated file whose hint name ends with <paramref name="suffix"/> (".Trainer.g.cs").</summary>
    public string File(string suffix) => _run.File(suffix);

    /// <summary>
    /// Asserts that the project compiles with the generated code: no error anywhere and no warning in
    /// a generated file (projects here treat warnings as errors).
    /// </summary>
    public void AssertCompiles()
    {
        var problems = _run.CompilationProblems();
        Assert.True(problems.Count == 0, "The generated code does not compile cleanly:\n" + string.Join("\n", problems));
    }

    /// <summary>Compiles the project with the generated code to an in-memory assembly and loads it.</summary>
    public System.Reflection.Assembly Load()
    {
        using var image = new MemoryStream();
        var emitted = Output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return System.Reflection.Assembly.Load(image.ToArray());
    }
}
