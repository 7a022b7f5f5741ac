namespace Rft.Generators.Specs;

/// <summary>
/// The loss composition: the policy objective plus optional terms. A term that is absent costs
/// nothing at run time: no reference policy without <see cref="KlPenalty"/>, no entropy without
/// <see cref="EntropyBonus"/>. New terms (SFT mixing, user terms) become new optional members.
/// </summary>
internal sealed record LossSpec(GrpoSpec Grpo, KlPenaltySpec? KlPenalty, EntropyBonusSpec? EntropyBonus)
{
    public bool NeedsReferencePolicy => KlPenalty is not null;

    public bool NeedsEntropy => EntropyBonus is not null;
}
