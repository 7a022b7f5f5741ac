using Rft.Testing;
using Microsoft.CodeAnalysis;

namespace Rft.Generators.Tests.Infrastructure;

/// <summary>
/// What a pipeline project compiles against: the .NET 10 reference assemblies, plus Rft.Dsl,
/// Rft.Runtime, Rft.Hosting and everything they reference outside the framework (TorchSharp,
/// Microsoft.Extensions.*), taken from the assemblies this test process has loaded.
/// </summary>
internal static class TestReferences
{
    public static IReadOnlyList<MetadataReference> All { get; } = PipelineReferences.Closure(new[]
    {
        typeof(Rft.PipelineAttribute).Assembly,
        typeof(Rft.Training.IRftOptions).Assembly,
        typeof(Rft.Hosting.RftHost).Assembly,
        typeof(TorchSharp.torch).Assembly,
        typeof(Microsoft.Extensions.Hosting.HostApplicationBuilder).Assembly,
    });
}
