using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Rft.Testing;

/// <summary>Loads analyzer assemblies into the test process (they depend only on Roslyn, which it already holds).</summary>
internal sealed class AnalyzerAssemblyLoader : IAnalyzerAssemblyLoader
{
    public void AddDependencyLocation(string fullPath)
    {
    }

    public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
}
