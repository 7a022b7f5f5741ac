using Rft.Generators.Specs;

namespace Rft.Generators.Emit;

/// <summary>
/// What one RL update of a pipeline computes, decided once from its spec so that the emit methods only print: which
/// per-rollout quantities exist (old values, reference log-probs, token rewards, group keys), which terms the
/// micro-batch loss has, what the step view needs, and the step numbers the generated comments use.
/// </summary>
internal sealed class UpdatePlan
{
    public UpdatePlan(PipelineSpec pipeline)
    {
        var loss = pipeline.Loss;
        Advantage = loss.Advantage;
        PolicyLoss = loss.PolicyLoss;
        SftTerm = loss.SftTerm;
        Terms = loss.Terms;
        Reads = loss.TermReads;
        HasValues = loss.NeedsValues;
        HasReference = loss.NeedsReferencePolicy;
        HasEntropy = loss.NeedsEntropy;
        HasEntropyBonus = loss.EntropyBonus is not null;
        KlInReward = loss.KlPenalty is { InReward: true };
        KlInLoss = loss.KlPenalty is { InReward: false };
        GrpoOnScores = Advantage.Kind == AdvantageEstimatorKind.Grpo && !KlInReward;
        NeedsGroupIndex = Advantage.Kind == AdvantageEstimatorKind.Rloo
            || (Advantage.Kind == AdvantageEstimatorKind.ReinforcePlusPlus && Advantage.GroupBaseline)
            || (Advantage.Kind == AdvantageEstimatorKind.Grpo && KlInReward);
        ScoresInBatch = (Reads & StepQuantity.Scores) != 0;
        DynamicSampling = pipeline.Data.DynamicSamplingRounds is not null;
        OffPolicy = new OffPolicyPlan(pipeline);
    }

    /// <summary>Replay, ReMix, RAFT, online DPO and logged rollouts (<see cref="OffPolicyPlan"/>).</summary>
    public OffPolicyPlan OffPolicy { get; }

    /// <summary>The policy-gradient term is weighted per step: CHORD's 1 - mu, or online DPO's share of the step.</summary>
    public bool RlWeighted => IsChord || OffPolicy.Dpo is not null;

    /// <summary>RAFT trains on the best completions with the supervised loss: no old pass, no advantages.</summary>
    public bool IsRaft => PolicyLoss.Kind == PolicyLossKind.Raft;

    /// <summary>The update's row count: the rollout's, or with replay the fresh and replayed rows'.</summary>
    public string UpdateRows => OffPolicy.Replays ? "mix.Rows" : "rows";

    public AdvantageSpec Advantage { get; }

    public PolicyLossSpec PolicyLoss { get; }

    public SftTermSpec? SftTerm { get; }

    public Infrastructure.EquatableArray<LossTermSpec> Terms { get; }

    /// <summary>What the user terms read, together.</summary>
    public StepQuantity Reads { get; }

    /// <summary>[Gae] with [ValueHead]: the old pass also yields values, the training forward the value head's, and a value loss.</summary>
    public bool HasValues { get; }

    /// <summary>A frozen reference is built and its log-probs computed once per rollout.</summary>
    public bool HasReference { get; }

    /// <summary>The training forward computes entropies (a bonus or a user term reads them).</summary>
    public bool HasEntropy { get; }

    public bool HasEntropyBonus { get; }

    public bool KlInReward { get; }

    public bool KlInLoss { get; }

    /// <summary>GRPO on the scores alone: no token-level rewards needed.</summary>
    public bool GrpoOnScores { get; }

    /// <summary>The estimator groups rows by prompt through an index array.</summary>
    public bool NeedsGroupIndex { get; }

    /// <summary>A user term reads the per-row scores, so the update batch carries them.</summary>
    public bool ScoresInBatch { get; }

    public bool DynamicSampling { get; }

    /// <summary>The policy loss reports clip fractions (TOPR truncates instead of clipping).</summary>
    public bool Clips => PolicyLoss.Kind is not (PolicyLossKind.Topr or PolicyLossKind.Raft);

    /// <summary>CHORD scales the RL terms by (1 - mu) and the SFT term by mu.</summary>
    public bool IsChord => SftTerm is { IsChord: true };

    /// <summary>
    /// On-policy (one epoch of one mini-batch, old log-probs recomputed) the update may take each micro-batch's own
    /// log-probs, detached, as the old ones and skip the old pass: nothing reads them before the update (no value head,
    /// no KL in the reward, no replayed rows to join them with, not RAFT).
    /// </summary>
    public bool OldFromForward => !IsRaft && !HasValues && !KlInReward && !OffPolicy.Replays;

    /// <summary>Sub-step labels of step 4 (before the update loops): old log-probs, reference, token rewards, advantages.</summary>
    public string OldPassLabel => "4.";

    public string ReferenceLabel => "4a.";

    public string TokenRewardsLabel => HasReference ? "4b." : "4a.";

    public string AdvantagesLabel => "5.";
}
