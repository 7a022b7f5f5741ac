using System.Linq;
using Rft.Generators.Infrastructure;

namespace Rft.Generators.Specs;

/// <summary>
/// The loss composition: an advantage estimator, one policy loss, an aggregation mode, and optional
/// terms. A term that is absent costs nothing at run time: no reference policy without a KL term or a user
/// term reading <c>RefLogProbs</c>, no entropy without an entropy term or reader, no value head without
/// [Gae] and [ValueHead], no demonstration forward without [SftTerm].
/// </summary>
/// <param name="Aggregation">The <c>Rft.AggregationMode</c> member's name, or a number for an undefined value.</param>
internal sealed record LossSpec(
    AdvantageSpec Advantage,
    PolicyLossSpec PolicyLoss,
    string Aggregation,
    KlPenaltySpec? KlPenalty,
    EntropyBonusSpec? EntropyBonus,
    ValueHeadSpec? ValueHead,
    SftTermSpec? SftTerm,
    EquatableArray<LossTermSpec> Terms)
{
    /// <summary>What the user terms read, together.</summary>
    public StepQuantity TermReads => Terms.Aggregate(StepQuantity.None, (all, term) => all | term.Reads);

    /// <summary>Online DPO compares the policy with the frozen reference, KL term or not.</summary>
    public bool ReferenceForPreferences { get; init; }

    public bool NeedsReferencePolicy => KlPenalty is not null || ReferenceForPreferences || (TermReads & StepQuantity.RefLogProbs) != 0;

    public bool NeedsEntropy => EntropyBonus is not null || (TermReads & StepQuantity.Entropy) != 0;

    /// <summary>The value head is built and run: [Gae] with [ValueHead].</summary>
    public bool NeedsValues => ValueHead is not null;
}
