namespace Rft;

/// <summary>How completions are sampled during RL.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RolloutAttribute : Attribute
{
    /// <summary>Most tokens generated per completion (the end-of-sequence token included).</summary>
    public int MaxNewTokens { get; set; } = 16;

    /// <summary>Longest prompt in tokens, BOS included; a longer prompt does what <see cref="OverlongPrompts"/> says.</summary>
    public int MaxPromptTokens { get; set; } = 32;

    /// <summary>What a prompt longer than <see cref="MaxPromptTokens"/> does: an error (the default), skipped, or truncated on the left.</summary>
    public OverlongPrompts OverlongPrompts { get; set; } = OverlongPrompts.Error;

    /// <summary>Sampling temperature; 0 means greedy.</summary>
    public double Temperature { get; set; } = 1.0;

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability reaches this.</summary>
    public double TopP { get; set; } = 1.0;

    /// <summary>
    /// Completions decoded at once (0: all of a step's). A step's rollout is generated in chunks of whole prompt groups of
    /// at most this many rows, so the KV cache and the decoding buffers hold one chunk and memory does not grow with
    /// the completions per step; at least the group size.
    /// </summary>
    public int DecodeRows { get; set; }
}
