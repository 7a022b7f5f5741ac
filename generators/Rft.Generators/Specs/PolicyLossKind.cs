namespace Rft.Generators.Specs;

/// <summary>The policy loss a pipeline declares (the clipped surrogate when none).</summary>
internal enum PolicyLossKind
{
    /// <summary>verl's vanilla PPO loss: token ratio, asymmetric clip, dual clip.</summary>
    ClippedSurrogate,

    /// <summary>GSPO: sequence ratio.</summary>
    Gspo,

    /// <summary>TOPR: truncated importance weights on negative samples.</summary>
    Topr,
}
