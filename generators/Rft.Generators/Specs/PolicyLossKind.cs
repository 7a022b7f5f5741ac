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

    /// <summary>RAFT ([Raft]): the supervised loss on the best completions of each group; no ratio, no advantages.</summary>
    Raft,
}
