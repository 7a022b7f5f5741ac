namespace Rft.Generators.Specs;

/// <summary>[Rollout]: how completions are sampled.</summary>
internal sealed record RolloutSpec(int MaxNewTokens, int MaxPromptTokens, double Temperature, double TopP)
{
    /// <summary>The attribute's defaults.</summary>
    public static RolloutSpec Default { get; } = new(MaxNewTokens: 16, MaxPromptTokens: 32, Temperature: 1.0, TopP: 1.0);
}
