using System.Globalization;
using Microsoft.CodeAnalysis;

namespace Rft.Generators.Tests.Infrastructure;

/// <summary>Assertions of the diagnostic tests: one diagnostic at a marked span, and no error in the generated code.</summary>
internal static class DiagnosticAssert
{
    /// <summary>Asserts that the generator reports exactly one diagnostic, <paramref name="id"/>, at the span marked [|like this|].</summary>
    public static GeneratorRun Single(string id, string markedSource, string messageFragment)
    {
        var marked = MarkedSource.Parse(markedSource);
        var run = GeneratorRun.Of(marked.Text);

        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        var location = diagnostic.Location.GetLineSpan();
        Assert.Equal("/src/Pipeline.cs", location.Path);
        Assert.True(marked.LineSpan == location.Span,
            $"{id} is at {location.Span} ('{Slice(marked.Text, diagnostic.Location.SourceSpan)}'), expected {marked.LineSpan} ('{Slice(marked.Text, marked.Span)}').");
        Assert.Contains(messageFragment, diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        NoErrorInGeneratedCode(run);
        return run;
    }

    /// <summary>The generated code adds no compile error of its own.</summary>
    public static void NoErrorInGeneratedCode(GeneratorRun run)
    {
        var inputs = new HashSet<SyntaxTree>(run.Input.SyntaxTrees);
        var errors = run.Output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is { } tree && !inputs.Contains(tree))
            .ToArray();
        Assert.True(errors.Length == 0, "The generated code adds errors:\n" + string.Join("\n", errors.Select(e => e.ToString())));
    }

    private static string Slice(string text, Microsoft.CodeAnalysis.Text.TextSpan span) =>
        span.End <= text.Length ? text.Substring(span.Start, span.Length) : "?";
}
