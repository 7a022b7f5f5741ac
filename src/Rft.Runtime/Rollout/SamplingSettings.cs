namespace Rft.Rollout;

/// <summary>How a rollout samples.</summary>
/// <param name="MaxNewTokens">Completion tokens per row at most, the stop token included.</param>
/// <param name="Temperature">Logits are divided by it; 0 means greedy (argmax).</param>
/// <param name="TopP">Nucleus sampling: draw from the smallest set of most likely tokens whose probability reaches it; 1 disables.</param>
public readonly record struct SamplingSettings(int MaxNewTokens, double Temperature, double TopP)
{
    /// <summary>Greedy decoding, as evaluation uses.</summary>
    public static SamplingSettings Greedy(int maxNewTokens) => new(maxNewTokens, Temperature: 0, TopP: 1);
}
