namespace Rft.Rollout;

/// <summary>How a prompt went into a <see cref="PromptBatch"/>.</summary>
public enum PromptFit
{
    /// <summary>Added as it is.</summary>
    Whole,

    /// <summary>Longer than the limit: added as BOS and its last tokens.</summary>
    Truncated,

    /// <summary>Longer than the limit: not added.</summary>
    Skipped,
}
