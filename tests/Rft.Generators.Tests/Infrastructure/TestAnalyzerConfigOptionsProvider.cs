using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Rft.Generators.Tests.Infrastructure;

internal sealed class TestAnalyzerConfigOptionsProvider(AnalyzerConfigOptions global) : AnalyzerConfigOptionsProvider
{
    public static TestAnalyzerConfigOptionsProvider WithEntryPoint(bool emitEntryPoint) =>
        new(new TestAnalyzerConfigOptions(new Dictionary<string, string>
        {
            ["build_property.RftEmitEntryPoint"] = emitEntryPoint ? "true" : "false",
        }));

    public override AnalyzerConfigOptions GlobalOptions => global;

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => TestAnalyzerConfigOptions.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => TestAnalyzerConfigOptions.Empty;
}
