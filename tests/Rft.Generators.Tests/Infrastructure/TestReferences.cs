using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Rft.Generators.Tests.Infrastructure;

/// <summary>
/// What a pipeline project compiles against: the .NET 10 reference assemblies, plus Rft.Dsl,
/// Rft.Runtime, Rft.Hosting and everything they reference outside the framework (TorchSharp,
/// Microsoft.Extensions.*), taken from the assemblies this test process has loaded.
/// </summary>
internal static class TestReferences
{
    public static IReadOnlyList<MetadataReference> All { get; } = Collect();

    private static IReadOnlyList<MetadataReference> Collect()
    {
        var framework = Basic.Reference.Assemblies.Net100.References.All.ToList();
        var frameworkNames = new HashSet<string>(
            framework.Select(r => Path.GetFileNameWithoutExtension(r.FilePath ?? r.Display ?? string.Empty)),
            StringComparer.OrdinalIgnoreCase);

        var roots = new[]
        {
            typeof(Rft.PipelineAttribute).Assembly,
            typeof(Rft.Training.IRftOptions).Assembly,
            typeof(Rft.Hosting.RftHost).Assembly,
            typeof(TorchSharp.torch).Assembly,
            typeof(Microsoft.Extensions.Hosting.HostApplicationBuilder).Assembly,
        };

        // Transitive closure over referenced assemblies that the framework set does not provide.
        var found = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<Assembly>(roots);
        while (pending.Count > 0)
        {
            var assembly = pending.Pop();
            var name = assembly.GetName().Name!;
            if (frameworkNames.Contains(name) || !found.TryAdd(name, assembly)) continue;
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name is null || frameworkNames.Contains(reference.Name) || found.ContainsKey(reference.Name)) continue;
                try
                {
                    pending.Push(Assembly.Load(reference));
                }
                catch (FileNotFoundException)
                {
                    // Not deployed with the tests (an optional dependency): generated code never needs it.
                }
            }
        }

        return framework
            .Concat(found.Values.OrderBy(a => a.GetName().Name, StringComparer.Ordinal).Select(a => (MetadataReference)MetadataReference.CreateFromFile(a.Location)))
            .ToArray();
    }
}
