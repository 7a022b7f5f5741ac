namespace Rft.Runtime.Tests.Models.Formats;

/// <summary>Resident memory is per process: these tests run alone so other tests' allocations do not blur the peak.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurement
{
    public const string Name = "memory measurement";
}
