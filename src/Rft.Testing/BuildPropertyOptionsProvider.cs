using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Rft.Testing;

/// <summary>The project-wide properties the Rft generator reads; no per-file options.</summary>
internal sealed class BuildPropertyOptionsProvider(AnalyzerConfigOptions global) : AnalyzerConfigOptionsProvider
{
    /// <summary>A project with <c>RftEmitEntryPoint</c> set as given (the Rft package sets it for executables).</summary>
    public static BuildPropertyOptionsProvider WithEntryPoint(bool emitEntryPoint) =>
        new(new BuildPropertyOptions(new Dictionary<string, string>
        {
            ["build_property.RftEmitEntryPoint"] = emitEntryPoint ? "true" : "false",
        }));

    public override AnalyzerConfigOptions GlobalOptions => global;

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => BuildPropertyOptions.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => BuildPropertyOptions.Empty;
}
