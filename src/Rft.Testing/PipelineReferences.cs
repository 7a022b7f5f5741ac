using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Rft.Testing;

/// <summary>
/// What a pipeline compiles against when the generator runs in a test: the .NET 10 reference
/// assemblies, plus every assembly outside the framework that some root references, transitively
/// (Rft.Dsl, Rft.Runtime, Rft.Hosting, TorchSharp, Microsoft.Extensions.*...), taken from the
/// assemblies the test process can load.
/// </summary>
public static class PipelineReferences
{
    private static readonly IReadOnlyList<PortableExecutableReference> Framework = Basic.Reference.Assemblies.Net100.References.All.ToArray();

    private static readonly HashSet<string> FrameworkNames = new(
        Framework.Select(r => Path.GetFileNameWithoutExtension(r.FilePath ?? r.Display ?? string.Empty)),
        StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The references of a pipeline project, read from its compiled assembly (a project reference
    /// of the test): what that assembly references, not the assembly itself, whose sources are
    /// compiled again.
    /// </summary>
    public static IReadOnlyList<MetadataReference> Of(Assembly compiledPipeline)
    {
        ArgumentNullException.ThrowIfNull(compiledPipeline);
        return Closure(compiledPipeline.GetReferencedAssemblies()
            .Where(name => name.Name is not null && !FrameworkNames.Contains(name.Name))
            .Select(Load)
            .OfType<Assembly>());
    }

    /// <summary>The framework plus <paramref name="roots"/> and the non-framework assemblies they reference, transitively.</summary>
    public static IReadOnlyList<MetadataReference> Closure(IEnumerable<Assembly> roots)
    {
        var found = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<Assembly>(roots);
        while (pending.Count > 0)
        {
            var assembly = pending.Pop();
            var name = assembly.GetName().Name!;
            if (FrameworkNames.Contains(name) || !found.TryAdd(name, assembly)) continue;
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name is null || FrameworkNames.Contains(reference.Name) || found.ContainsKey(reference.Name)) continue;
                if (Load(reference) is { } loaded) pending.Push(loaded);
            }
        }

        return Framework
            .Concat(found.Values
                .OrderBy(a => a.GetName().Name, StringComparer.Ordinal)
                .Select(a => (MetadataReference)MetadataReference.CreateFromFile(a.Location)))
            .ToArray();
    }

    private static Assembly? Load(AssemblyName name)
    {
        try
        {
            return Assembly.Load(name);
        }
        catch (FileNotFoundException)
        {
            // Not deployed beside the tests (an optional dependency): generated code never names it.
            return null;
        }
    }
}
