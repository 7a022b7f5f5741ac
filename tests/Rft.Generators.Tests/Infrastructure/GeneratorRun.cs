using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Rft.Generators.Tests.Infrastructure;

/// <summary>One in-process run of <see cref="RftGenerator"/> over some sources, and what came out.</summary>
internal sealed class GeneratorRun
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>The global usings of an SDK project with ImplicitUsings (the examples rely on them).</summary>
    public const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    private GeneratorRun(CSharpCompilation input, Compilation output, GeneratorDriver driver)
    {
        Input = input;
        Output = output;
        Driver = driver;
        Result = driver.GetRunResult();
        var generated = Result.Results.Single();
        if (generated.Exception is not null) throw new InvalidOperationException("The generator threw.", generated.Exception);
        Diagnostics = generated.Diagnostics;
        Files = generated.GeneratedSources.Select(s => new GeneratedFile(s.HintName, s.SourceText.ToString())).ToArray();
    }

    public CSharpCompilation Input { get; }

    /// <summary>The input with the generated files added.</summary>
    public Compilation Output { get; }

    public GeneratorDriver Driver { get; }

    public GeneratorDriverRunResult Result { get; }

    /// <summary>What the generator reported.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    public IReadOnlyList<GeneratedFile> Files { get; }

    /// <summary>Runs the generator over <paramref name="sources"/> (path, text) as one project.</summary>
    public static GeneratorRun Of(IEnumerable<(string Path, string Text)> sources, bool emitEntryPoint = false)
    {
        var compilation = CreateCompilation(sources, emitEntryPoint);
        GeneratorDriver driver = CreateDriver(emitEntryPoint);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return new GeneratorRun(compilation, output, driver);
    }

    /// <summary>Runs the generator over a single source file.</summary>
    public static GeneratorRun Of(string source, bool emitEntryPoint = false) => Of(new[] { ("/src/Pipeline.cs", source) }, emitEntryPoint);

    /// <summary>The files of examples/<paramref name="name"/> plus the implicit global usings.</summary>
    public static IEnumerable<(string Path, string Text)> Example(string name) =>
        RepositoryFiles.Example(name)
            .Select(path => ($"/examples/{name}/{Path.GetFileName(path)}", System.IO.File.ReadAllText(path)))
            .Append(($"/examples/{name}/GlobalUsings.g.cs", ImplicitUsings));

    public static CSharpCompilation CreateCompilation(IEnumerable<(string Path, string Text)> sources, bool executable = false) =>
        CSharpCompilation.Create(
            "Pipeline",
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, s.Path)),
            TestReferences.All,
            new CSharpCompilationOptions(
                executable ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(bool emitEntryPoint, bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new RftGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            optionsProvider: TestAnalyzerConfigOptionsProvider.WithEntryPoint(emitEntryPoint),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>The text of the one generated file whose hint name ends with <paramref name="suffix"/> (".Trainer.g.cs").</summary>
    public string File(string suffix) => Files.Single(f => f.HintName.EndsWith(suffix, StringComparison.Ordinal)).Text;

    /// <summary>
    /// Asserts that the project compiles with the generated code: no error anywhere and no warning in
    /// a generated file (projects here treat warnings as errors).
    /// </summary>
    public void AssertCompiles()
    {
        var inputs = new HashSet<SyntaxTree>(Input.SyntaxTrees);
        var problems = Output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error
                || (d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && !inputs.Contains(tree)))
            .Select(d => d.ToString())
            .ToArray();
        Assert.True(problems.Length == 0, "The generated code does not compile cleanly:\n" + string.Join("\n", problems));
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
