namespace Rft.Generators.Specs;

/// <summary>The advantage estimator and the rollout shape every estimator has.</summary>
/// <param name="ScaleByStd">[Grpo] only: false gives Dr.GRPO.</param>
/// <param name="Epsilon">[Grpo] only: added to the group std.</param>
/// <param name="Gamma">[ReinforcePlusPlus] and [Gae]: the discount.</param>
/// <param name="Lambda">[Gae] only.</param>
/// <param name="GroupBaseline">[ReinforcePlusPlus] only: the group-mean baseline variant.</param>
/// <param name="ClipLow">[Grpo] only: the default surrogate's lower clip, when declared there.</param>
/// <param name="ClipHigh">[Grpo] only: the default surrogate's upper clip, when declared there.</param>
internal sealed record AdvantageSpec(
    AdvantageEstimatorKind Kind,
    int GroupSize,
    int PromptsPerStep,
    bool ScaleByStd,
    double Epsilon,
    double Gamma,
    double Lambda,
    bool GroupBaseline,
    double ClipLow,
    double ClipHigh)
{
    /// <summary>[Grpo]'s defaults, used when no estimator is declared.</summary>
    public static AdvantageSpec Default { get; } = new(
        AdvantageEstimatorKind.Grpo, GroupSize: 8, PromptsPerStep: 8, ScaleByStd: true, Epsilon: 1e-6, Gamma: 1.0, Lambda: 1.0,
        GroupBaseline: false, ClipLow: 0.2, ClipHigh: 0.2);

    /// <summary>The attribute's name as the user writes it.</summary>
    public string AttributeName => Kind.ToString();
}
