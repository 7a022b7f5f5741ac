namespace Rft.Generators.Specs;

/// <summary>[Grpo]: group-normalised advantages and the clipped surrogate, the policy objective.</summary>
internal sealed record GrpoSpec(int GroupSize, int PromptsPerStep, double ClipLow, double ClipHigh, bool ScaleByStd, double Epsilon)
{
    /// <summary>The attribute's defaults, used when [Grpo] is absent (GRPO is the only objective so far).</summary>
    public static GrpoSpec Default { get; } = new(GroupSize: 8, PromptsPerStep: 8, ClipLow: 0.2, ClipHigh: 0.2, ScaleByStd: true, Epsilon: 1e-6);
}
