using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Rft.Testing;

/// <summary>
/// The source generators the .NET SDK adds to every C# project (System.Text.Json's serializer
/// contexts, [GeneratedRegex], [LibraryImport]...), loaded from the targeting pack of the running
/// runtime, so that a pipeline's own generated partials exist when its project is compiled in a test.
/// </summary>
internal static class FrameworkGenerators
{
    private static readonly Lazy<IReadOnlyList<ISourceGenerator>> Loaded = new(Load);

    public static IReadOnlyList<ISourceGenerator> All => Loaded.Value;

    private static IReadOnlyList<ISourceGenerator> Load()
    {
        var folder = AnalyzerFolder();
        if (folder is null) return Array.Empty<ISourceGenerator>();
        var loader = new AnalyzerAssemblyLoader();
        return Directory.GetFiles(folder, "*.dll")
            .OrderBy(path => path, StringComparer.Ordinal)
            .SelectMany(path => new AnalyzerFileReference(path, loader).GetGenerators(LanguageNames.CSharp))
            .ToArray();
    }

    /// <summary>packs/Microsoft.NETCore.App.Ref/&lt;runtime version&gt;/analyzers/dotnet/cs beside the running shared runtime, if installed.</summary>
    private static string? AnalyzerFolder()
    {
        // .../dotnet/shared/Microsoft.NETCore.App/<version>/System.Private.CoreLib.dll
        var runtime = new DirectoryInfo(Path.GetDirectoryName(typeof(object).Assembly.Location)!);
        var root = runtime.Parent?.Parent?.Parent;
        if (root is null) return null;
        var packs = Path.Combine(root.FullName, "packs", "Microsoft.NETCore.App.Ref");
        if (!Directory.Exists(packs)) return null;
        var exact = Path.Combine(packs, runtime.Name, "analyzers", "dotnet", "cs");
        if (Directory.Exists(exact)) return exact;
        // Otherwise the newest pack of the same major version.
        return Directory.GetDirectories(packs)
            .Where(d => Path.GetFileName(d).Split('.')[0] == runtime.Name.Split('.')[0])
            .OrderByDescending(d => Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : new Version())
            .Select(d => Path.Combine(d, "analyzers", "dotnet", "cs"))
            .FirstOrDefault(Directory.Exists);
    }
}
