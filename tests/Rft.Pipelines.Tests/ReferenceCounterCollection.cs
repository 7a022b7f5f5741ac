namespace Rft.Pipelines.Tests;

/// <summary>
/// Tests that count reference policies through the process-wide <see cref="Rft.Training.ReferencePolicy.Created"/> run
/// one at a time: a test building a reference in parallel would change another's count.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ReferenceCounterCollection
{
    public const string Name = "ReferencePolicy.Created";
}
