using Microsoft.CodeAnalysis.Diagnostics;

namespace Rft.Generators;

/// <summary>The project-wide MSBuild properties the generator reads (<c>CompilerVisibleProperty</c>).</summary>
/// <param name="EmitEntryPoint"><c>RftEmitEntryPoint</c>: emit a <c>Main</c> that hosts the training service.</param>
internal readonly record struct BuildOptions(bool EmitEntryPoint)
{
    public static BuildOptions From(AnalyzerConfigOptions options) =>
        new(options.TryGetValue("build_property.RftEmitEntryPoint", out var value)
            && string.Equals(value?.Trim(), "true", System.StringComparison.OrdinalIgnoreCase));
}
