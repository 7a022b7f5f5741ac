namespace Rft;

/// <summary>How completions are sampled during RL.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RolloutAttribute : Attribute
{
    /// <summary>Most tokens generated per completion (the end-of-sequence token included).</summary>
    public int MaxNewTokens { get; set; } = 16;

    /// <summary>Longest prompt in tokens; longer prompts are rejected with an error.</summary>
    public int MaxPromptTokens { get; set; } = 32;

    /// <summary>Sampling temperature; 0 means greedy.</summary>
    public double Temperature { get; set; } = 1.0;

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability reaches this.</summary>
    public double TopP { get; set; } = 1.0;
}
