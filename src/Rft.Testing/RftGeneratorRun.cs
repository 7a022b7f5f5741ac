using System.CodeDom.Compiler;
using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Rft.Generators;

namespace Rft.Testing;

/// <summary>
/// One in-process run of the Rft source generator over a pipeline's sources, and what came out:
/// the generated files by hint name (to snapshot), the generator's diagnostics, and the
/// compilation with the generated files added (to check that it compiles).
/// </summary>
/// <example>
/// <code>
/// var run = RftGeneratorRun.OfProject("../../../../Shop", typeof(Shop.Shop).Assembly);
/// foreach (var (hintName, text) in run.Sources) Snapshot.Match(text, SnapshotNameExtension.Create(hintName));
/// </code>
/// </example>
public sealed class RftGeneratorRun
{
    /// <summary>The parse options the SDK uses with <c>&lt;LangVersion&gt;latest&lt;/LangVersion&gt;</c>.</summary>
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    private RftGeneratorRun(CSharpCompilation input, Compilation output, GeneratorDriver driver)
    {
        Input = input;
        Output = output;
        Driver = driver;
        Result = driver.GetRunResult();
        var generated = Result.Results.Single(r => r.Generator.GetGeneratorType() == typeof(RftGenerator));
        if (generated.Exception is not null) throw new InvalidOperationException("The Rft generator threw.", generated.Exception);
        Diagnostics = generated.Diagnostics;
        Files = generated.GeneratedSources
            .Select(s => new GeneratedFile(s.HintName, s.SourceText.ToString()))
            .OrderBy(f => f.HintName, StringComparer.Ordinal)
            .ToArray();
        Sources = new SortedDictionary<string, string>(Files.ToDictionary(f => f.HintName, f => f.Text), StringComparer.Ordinal);
    }

    /// <summary>The pipeline's sources, compiled without the generator.</summary>
    public CSharpCompilation Input { get; }

    /// <summary>The input with the generated files added.</summary>
    public Compilation Output { get; }

    public GeneratorDriver Driver { get; }

    public GeneratorDriverRunResult Result { get; }

    /// <summary>What the generator reported (RFT0001...).</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    /// <summary>The files the Rft generator added, in ordinal order of their hint names.</summary>
    public IReadOnlyList<GeneratedFile> Files { get; }

    /// <summary>The generated text by hint name ("Shop.Shop.Trainer.g.cs"), in ordinal order.</summary>
    public IReadOnlyDictionary<string, string> Sources { get; }

    /// <summary>
    /// The pipeline project in <paramref name="projectDirectory"/> (its <c>*.cs</c> files, with the
    /// SDK's implicit usings) compiled as its build compiles it: against what
    /// <paramref name="compiledPipeline"/>, its built assembly, references; with the SDK's own
    /// source generators beside Rft's (a System.Text.Json context a pipeline names is generated);
    /// with the entry point generated when the built assembly's is, as the Rft package does for
    /// executables.
    /// </summary>
    public static RftGeneratorRun OfProject(string projectDirectory, Assembly compiledPipeline) =>
        Of(PipelineSources.FromProject(projectDirectory), PipelineReferences.Of(compiledPipeline), HasGeneratedEntryPoint(compiledPipeline), FrameworkGenerators.All);

    /// <summary>Runs the Rft generator alone over <paramref name="sources"/> (path, text) as one project.</summary>
    public static RftGeneratorRun Of(IEnumerable<(string Path, string Text)> sources, IEnumerable<MetadataReference> references, bool emitEntryPoint) =>
        Of(sources, references, emitEntryPoint, Array.Empty<ISourceGenerator>());

    private static RftGeneratorRun Of(
        IEnumerable<(string Path, string Text)> sources, IEnumerable<MetadataReference> references, bool emitEntryPoint, IReadOnlyList<ISourceGenerator> otherGenerators)
    {
        var compilation = CreateCompilation(sources, references, emitEntryPoint);
        var driver = CreateDriver(emitEntryPoint, otherGenerators: otherGenerators)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return new RftGeneratorRun(compilation, output, driver);
    }

    /// <summary>A compilation of <paramref name="sources"/>: a console application when <paramref name="executable"/>, else a library.</summary>
    public static CSharpCompilation CreateCompilation(IEnumerable<(string Path, string Text)> sources, IEnumerable<MetadataReference> references, bool executable) =>
        CSharpCompilation.Create(
            "Pipeline",
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, s.Path)),
            references,
            new CSharpCompilationOptions(
                executable ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>A driver holding the Rft generator (and <paramref name="otherGenerators"/>), with <c>RftEmitEntryPoint</c> set as given.</summary>
    public static GeneratorDriver CreateDriver(bool emitEntryPoint, bool trackSteps = false, IEnumerable<ISourceGenerator>? otherGenerators = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new RftGenerator().AsSourceGenerator() }.Concat(otherGenerators ?? Array.Empty<ISourceGenerator>()),
            parseOptions: ParseOptions,
            optionsProvider: BuildPropertyOptionsProvider.WithEntryPoint(emitEntryPoint),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>The text of the one generated file whose hint name ends with <paramref name="suffix"/> (".Trainer.g.cs").</summary>
    public string File(string suffix)
    {
        var matches = Files.Where(f => f.HintName.EndsWith(suffix, StringComparison.Ordinal)).ToArray();
        return matches.Length == 1
            ? matches[0].Text
            : throw new InvalidOperationException(
                $"{matches.Length} generated files end with '{suffix}'; the generator added: {string.Join(", ", Files.Select(f => f.HintName))}.");
    }

    /// <summary>
    /// What keeps the project with the generated code from building cleanly: every error, and every
    /// warning inside a generated file (a project that treats warnings as errors would fail on it).
    /// </summary>
    public IReadOnlyList<Diagnostic> CompilationProblems()
    {
        var inputs = new HashSet<SyntaxTree>(Input.SyntaxTrees);
        return Output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error
                || (d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && !inputs.Contains(tree)))
            .ToArray();
    }

    /// <summary>Whether the built pipeline's entry point is the one Rft generates (the class carries its [GeneratedCode]).</summary>
    private static bool HasGeneratedEntryPoint(Assembly compiledPipeline) =>
        compiledPipeline.EntryPoint?.DeclaringType?.GetCustomAttributes<GeneratedCodeAttribute>()
            .Any(a => a.Tool == "Rft.Generators") == true;
}
