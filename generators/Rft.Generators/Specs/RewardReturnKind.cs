namespace Rft.Generators.Specs;

internal enum RewardReturnKind
{
    /// <summary><c>float</c>.</summary>
    Single,

    /// <summary><c>double</c>, narrowed to float when stored.</summary>
    Double,

    /// <summary><c>ValueTask&lt;float&gt;</c>, awaited while scoring.</summary>
    ValueTaskOfSingle,

    /// <summary>Anything else; the pipeline is invalid.</summary>
    Unsupported,
}
