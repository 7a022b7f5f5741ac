namespace Rft.Generators.Specs;

/// <summary>The policy-gradient term of the loss.</summary>
/// <param name="IsDeclared">False when no policy-loss attribute is declared and the default surrogate applies.</param>
/// <param name="ClipRatioC">Clipped surrogate only: the dual-clip bound.</param>
/// <param name="Threshold">TOPR only: samples with an advantage at most this get the tapered weight.</param>
internal sealed record PolicyLossSpec(PolicyLossKind Kind, bool IsDeclared, double ClipLow, double ClipHigh, double ClipRatioC, double Threshold)
{
    /// <summary>The default surrogate, with the clip range of [Grpo] (or its defaults).</summary>
    public static PolicyLossSpec Default(AdvantageSpec advantage) =>
        new(PolicyLossKind.ClippedSurrogate, IsDeclared: false, advantage.ClipLow, advantage.ClipHigh, ClipRatioC: 3.0, Threshold: 0.0);
}
