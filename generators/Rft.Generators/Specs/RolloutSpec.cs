namespace Rft.Generators.Specs;

/// <summary>[Rollout]: how completions are sampled.</summary>
/// <param name="OverlongPrompts">An <c>Rft.OverlongPrompts</c> member: what a prompt longer than MaxPromptTokens does.</param>
/// <param name="DecodeRows">Completions decoded at once; 0 for all of a step's.</param>
internal sealed record RolloutSpec(int MaxNewTokens, int MaxPromptTokens, double Temperature, double TopP, string OverlongPrompts, int DecodeRows)
{
    /// <summary>The attribute's defaults.</summary>
    public static RolloutSpec Default { get; } = new(MaxNewTokens: 16, MaxPromptTokens: 32, Temperature: 1.0, TopP: 1.0, OverlongPrompts: "Error", DecodeRows: 0);
}
