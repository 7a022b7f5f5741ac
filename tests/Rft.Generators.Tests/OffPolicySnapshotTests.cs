using Rft.Generators.Tests.Infrastructure;

namespace Rft.Generators.Tests;

/// <summary>
/// The generated step of each off-policy declaration (replay, ReMix, TOPR on replay, RAFT, online DPO, logged
/// rollouts): its options and trainer against their snapshots, the project compiled with them, and what each step
/// must and must not compute.
/// </summary>
public class OffPolicySnapshotTests
{
    [Fact]
    public void Remix_replays_with_the_behaviour_ratio_the_kl_convex_term_and_reincarnation()
    {
        var trainer = Run("ReMixEcho", """
            [Grpo(GroupSize = 4, PromptsPerStep = 4)]
            [KlPenalty(0.02)]
            [Replay(Capacity = 64, MaxStaleness = 2, OnPolicyShare = 0.5)]
            [ReMix(UpdateToData = 2, KlConvexWeight = 0.5, ReincarnationStep = 50)]
            [Training(Steps = 100)]
            """);

        Assert.Contains("_replay.Add(rollout, mask, advantages, scores, _rowTokens, step, _options.ReplaySignalOnly);", trainer);
        Assert.Contains("int miniBatches = global::System.Math.Min(onPolicy ? _options.MiniBatches : _options.UpdateToData, mix.Rows);", trainer);
        Assert.Contains("KlConvex.Estimate(logProbs, micro.RefLogProbs!, micro.PrecedentLogProbs!, _options.KlConvexWeight, _options.KlEstimator)", trainer);
        Assert.Contains("if (step == _options.ReincarnationStep)", trainer);
        Assert.Contains("_schedule.Normalisers(start, count, mix.RowTokens)", trainer);
        Assert.Contains("rolloutIsWeights: micro.ImportanceWeights", trainer);
        // The plain KL term is replaced by the convex one.
        Assert.DoesNotContain("KlEstimators.Estimate(logProbs, micro.RefLogProbs!", trainer);
    }

    [Fact]
    public void Replay_with_truncated_importance_weights_under_gspo_and_rloo()
    {
        var (trainer, options) = RunBoth("TisEcho", """
            [Rloo(GroupSize = 4, PromptsPerStep = 4)]
            [Gspo]
            [Replay(Capacity = 32, Correction = ImportanceCorrection.TruncatedWeights, TruncationCap = 2)]
            [EntropyBonus(0.01)]
            """);

        Assert.Contains("ImportanceWeights.Truncated(batchOldLogProbs, mix.Behaviour, mix.Mask, _options.ReplayTruncationCap)", trainer);
        Assert.Contains("PolicyLossFunctions.Gspo(oldLogProbs, logProbs, micro.Advantages, micro.Mask,", trainer);
        Assert.DoesNotContain("_reference", trainer);
        Assert.DoesNotContain("KlConvex", trainer);
        Assert.Contains("public global::Rft.ImportanceCorrection ReplayCorrection { get; set; } = global::Rft.ImportanceCorrection.TruncatedWeights;", options);
    }

    [Fact]
    public void Topr_with_replay_takes_positive_and_negative_replayed_rows_without_kl()
    {
        var trainer = Run("ToprReplayEcho", """
            [Grpo(GroupSize = 4, PromptsPerStep = 4)]
            [Topr]
            [Replay(Capacity = 48, OnPolicyShare = 0.25, SignalOnly = false)]
            """);

        Assert.Contains("Topr.Loss(oldLogProbs, logProbs, micro.Advantages, micro.Mask, _options.ToprThreshold, aggregation, scale)", trainer);
        Assert.Contains("mix.Join(oldLogProbs, mix.Replayed == 0 ? null : truncated", trainer);
        Assert.DoesNotContain("refLogProbs", trainer);
    }

    [Fact]
    public void Raft_keeps_the_best_completions_and_computes_no_ratio_or_advantage()
    {
        var trainer = Run("RaftEcho", """
            [Grpo(GroupSize = 4, PromptsPerStep = 4)]
            [Raft(TopK = 1, Threshold = 1)]
            [KlPenalty(0.01)]
            """);

        Assert.Contains("_raft.Select(_scores, rows, _options.GroupSize, _options.RaftTopK, _options.RaftThreshold, _rowTokens, _device)", trainer);
        Assert.Contains("LossAggregation.Aggregate(-logProbs * micro.Advantages, micro.Mask, aggregation, scale)", trainer);
        Assert.Contains("var oldLogProbs = rollout.LogProbs;", trainer);
        Assert.DoesNotContain("LogProbsWithoutGrad(_policy", trainer);
        Assert.DoesNotContain("GroupAdvantages", trainer);
        Assert.DoesNotContain("ClipFractionHigh", trainer);
    }

    [Fact]
    public void Online_dpo_alternates_with_grpo_and_builds_the_reference_without_a_kl_term()
    {
        var trainer = Run("DpoEcho", """
            [Grpo(GroupSize = 4, PromptsPerStep = 4)]
            [OnlineDpo(Beta = 0.1, Every = 2)]
            """);

        Assert.Contains("_reference ??= global::Rft.Training.FrozenReference.Of(_policy, baseWeightsAreReference: false);", trainer);
        Assert.Contains("bool dpoStep = step % _options.DpoEvery == 0;", trainer);
        Assert.Contains("if (rlWeight > 0) // a DPO step trains DPO alone", trainer);
        Assert.Contains("DpoPass(m, miniBatches, dpoWeight, sequences, mask, refLogProbs);", trainer);
        Assert.Contains("var loss = rlWeight * policyLoss.PgLoss;", trainer);
        Assert.DoesNotContain("klTokens", trainer);
    }

    [Fact]
    public void Offline_rollouts_train_from_the_log_without_sampling()
    {
        var (trainer, options) = RunBoth("OfflineEcho", """
            [Grpo(GroupSize = 4, PromptsPerStep = 2)]
            [Topr]
            [OfflineRollouts("logs/rollouts.jsonl", Repeat = false)]
            """);

        Assert.Contains("var rollout = _logged.Next(_options.PromptsPerStep);", trainer);
        Assert.Contains("_logged.Score(_scores, _rewardColumns);", trainer);
        Assert.DoesNotContain("_sampler.Generate(_prompts, _options.GroupSize", trainer);
        Assert.Contains("public string OfflineRolloutsPath { get; set; } = \"logs/rollouts.jsonl\";", options);
        Assert.Contains("FileExists(errors, \"Rft:OfflineRolloutsPath\", OfflineRolloutsPath);", options);
    }

    [Theory]
    [InlineData("[Grpo(GroupSize = 4)]\n[OnlineDpo(Mode = DpoMode.Combined, Weight = 0.5)]\n[KlPenalty(0.01)]\n[EntropyBonus(0.01)]")]
    [InlineData("[ReinforcePlusPlus(GroupSize = 4, GroupBaseline = true)]\n[Replay(OnPolicyShare = 1)]\n[KlPenalty(0.01, Placement = KlPlacement.InReward)]")]
    [InlineData("[Grpo(GroupSize = 4)]\n[ClippedSurrogate]\n[Replay]\n[KlPenalty(0.01)]\n[ReMix(ReincarnationStep = 0)]\n[Training(MiniBatches = 2, PpoEpochs = 2)]")]
    [InlineData("[Rloo(GroupSize = 4)]\n[Raft(TopK = 2)]\n[EntropyBonus(0.01)]")]
    [InlineData("[Grpo(GroupSize = 4)]\n[Raft]\n[OfflineRollouts(\"x.jsonl\")]")]
    public void Every_off_policy_combination_compiles(string attributes)
    {
        var run = GeneratorRun.Of(LossCompositionSnapshotTests.EchoSource("Combination", attributes, string.Empty));

        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
    }

    private static string Run(string name, string attributes) => RunBoth(name, attributes).Trainer;

    private static (string Trainer, string Options) RunBoth(string name, string attributes) => LossCompositionSnapshotTests.RunBoth(name, attributes);
}
