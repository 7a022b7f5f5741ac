using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Rft.Generators.Tests.Infrastructure;

namespace Rft.Generators.Tests;

/// <summary>
/// The generator must not redo work the IDE did not ask for: after an edit that leaves a pipeline
/// unchanged, every named step is Cached or Unchanged and nothing is re-emitted. Step outputs must
/// hold only values: a Compilation, symbol or syntax node would pin a whole compilation in memory
/// and defeat the caching.
/// </summary>
public class CachingTests
{
    private static readonly string[] StepNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    [Fact]
    public void Every_named_step_is_cached_after_adding_an_unrelated_file()
    {
        var compilation = GeneratorRun.CreateCompilation(GeneratorRun.Example("Arithmetic"), executable: true);
        var driver = GeneratorRun.CreateDriver(emitEntryPoint: true, trackSteps: true).RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Elsewhere; public sealed class Unrelated { public int Value { get; set; } }", GeneratorRun.ParseOptions, "/src/Unrelated.cs"));
        var second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertAllCachedOrUnchanged(second);
    }

    [Fact]
    public void Moving_a_pipeline_down_the_file_re_reports_its_diagnostics_but_does_not_re_emit()
    {
        // The minimal pipeline has a warning, whose location moves with the edit.
        var compilation = GeneratorRun.CreateCompilation(new[] { ("/src/Echo.cs", TestPipelines.Minimal) });
        var driver = GeneratorRun.CreateDriver(emitEntryPoint: false, trackSteps: true).RunGenerators(compilation);

        var original = compilation.SyntaxTrees.Single();
        var moved = original.WithChangedText(original.GetText().Replace(0, 0, "// A comment that moves every location down a line.\n"));
        var second = driver.RunGenerators(compilation.ReplaceSyntaxTree(original, moved)).GetRunResult().Results.Single();

        Assert.Equal(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.Diagnostics).Single());
        Assert.All(Reasons(second, TrackingNames.Pipelines), r => Assert.Contains(r, CachedOrUnchanged));
        Assert.All(Reasons(second, TrackingNames.EmitInputs), r => Assert.Contains(r, CachedOrUnchanged));
    }

    [Fact]
    public void No_step_output_holds_a_compilation_symbol_or_syntax_node()
    {
        var compilation = GeneratorRun.CreateCompilation(new[]
        {
            ("/src/Full.cs", TestPipelines.Full),
            ("/src/Minimal.cs", TestPipelines.Minimal),
        });
        var result = GeneratorRun.CreateDriver(emitEntryPoint: false, trackSteps: true).RunGenerators(compilation).GetRunResult().Results.Single();

        foreach (var name in StepNames)
        {
            Assert.True(result.TrackedSteps.ContainsKey(name), $"No step is tracked as '{name}'.");
            foreach (var step in result.TrackedSteps[name])
            {
                foreach (var (value, _) in step.Outputs) AssertHoldsOnlyValues(value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }
    }

    private static readonly IncrementalStepRunReason[] CachedOrUnchanged = { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged };

    private static void AssertAllCachedOrUnchanged(GeneratorRunResult result)
    {
        foreach (var name in StepNames)
        {
            Assert.True(result.TrackedSteps.ContainsKey(name), $"No step is tracked as '{name}'.");
            foreach (var reason in Reasons(result, name))
                Assert.True(CachedOrUnchanged.Contains(reason), $"Step '{name}' was {reason} after an unrelated edit.");
        }

        foreach (var (_, reason) in result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs))
            Assert.True(CachedOrUnchanged.Contains(reason), $"An output was {reason} after an unrelated edit.");
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);

    /// <summary>Walks the object graph by reflection; checks "is assignable to", so subclasses are caught.</summary>
    private static void AssertHoldsOnlyValues(object? value, string path, HashSet<object> visited)
    {
        if (value is null) return;
        var type = value.GetType();
        Assert.False(value is Compilation, $"{path} holds a Compilation ({type}).");
        Assert.False(value is ISymbol, $"{path} holds a symbol ({type}).");
        Assert.False(value is SyntaxNode, $"{path} holds a syntax node ({type}).");
        Assert.False(value is SemanticModel, $"{path} holds a semantic model ({type}).");
        Assert.False(value is SyntaxTree, $"{path} holds a syntax tree ({type}).");
        Assert.False(value is Location { IsInSource: true }, $"{path} holds a source location ({type}).");
        if (type.IsPrimitive || type.IsEnum || value is string || value is decimal) return;
        if (!type.IsValueType && !visited.Add(value)) return;

        if (value is IEnumerable items)
        {
            int index = 0;
            foreach (var item in items) AssertHoldsOnlyValues(item, $"{path}[{index++}]", visited);
        }

        for (var declaring = type; declaring is not null && declaring != typeof(object); declaring = declaring.BaseType)
        {
            foreach (var field in declaring.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer || field.FieldType.IsByRefLike) continue;
                AssertHoldsOnlyValues(field.GetValue(value), $"{path}.{field.Name}", visited);
            }
        }
    }
}
