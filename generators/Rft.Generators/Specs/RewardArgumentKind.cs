namespace Rft.Generators.Specs;

internal enum RewardArgumentKind
{
    /// <summary>The sampled completion (<c>Rft.Completion</c>).</summary>
    Completion,

    /// <summary>The record itself.</summary>
    Record,

    /// <summary>A property or field of the record, matched by name.</summary>
    RecordMember,

    /// <summary>A <c>CancellationToken</c>, cancelled when the call passes its timeout.</summary>
    CancellationToken,

    /// <summary>Binds to nothing; the pipeline is invalid.</summary>
    Unbound,
}
