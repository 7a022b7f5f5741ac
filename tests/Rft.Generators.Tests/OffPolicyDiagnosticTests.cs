using Microsoft.CodeAnalysis;
using Rft.Generators.Tests.Infrastructure;

namespace Rft.Generators.Tests;

/// <summary>
/// One test per off-policy diagnostic (RFT0080-RFT0087): its ID, its severity and the exact span of the offending syntax,
/// marked [|like this|]. Each source has exactly one problem.
/// </summary>
public class OffPolicyDiagnosticTests
{
    [Fact]
    public void RFT0080_replay_with_a_value_head_estimator_at_the_replay_attribute()
    {
        AssertSingle("RFT0080", Pipeline("[Gae]\n[ValueHead]\n[[|Replay|]]"),
            "[Replay] cannot be combined with [Gae]: a replayed row would need the values the value head gave it");
    }

    [Fact]
    public void RFT0081_remix_without_replay_at_the_remix_attribute()
    {
        AssertSingle("RFT0081", Pipeline("[KlPenalty(0.01)]\n[[|ReMix|]]"),
            "[ReMix] trains on fresh and replayed rollouts, but the pipeline 'Calc' declares no [Replay]");
    }

    [Fact]
    public void RFT0082_remix_without_a_kl_target_at_the_remix_attribute()
    {
        AssertSingle("RFT0082", Pipeline("[Replay]\n[[|ReMix(UpdateToData = 2)|]]"),
            "the pipeline 'Calc' declares no [KlPenalty]: declare [KlPenalty(beta)] with Placement = KlPlacement.InLoss");
    }

    [Fact]
    public void RFT0082_remix_with_the_kl_in_the_reward()
    {
        AssertSingle("RFT0082", Pipeline("[Replay]\n[KlPenalty(0.01, Placement = KlPlacement.InReward)]\n[[|ReMix|]]"),
            "puts its KL penalty in the reward");
    }

    [Fact]
    public void RFT0083_raft_with_a_term_that_reads_advantages_at_the_raft_attribute()
    {
        AssertSingle("RFT0083", Pipeline("[[|Raft(TopK = 2)|]]", """
                [LossTerm] public static TorchSharp.torch.Tensor Drift(StepView s) => s.Advantages.mean();
            """),
            "[LossTerm] 'Drift' (it reads StepView.Advantages) needs them");
    }

    [Fact]
    public void RFT0083_raft_with_a_declared_policy_loss()
    {
        AssertSingle("RFT0083", Pipeline("[ClippedSurrogate]\n[[|Raft|]]"), "[ClippedSurrogate] needs them: remove it");
    }

    [Fact]
    public void RFT0084_two_objectives_at_the_second()
    {
        AssertSingle("RFT0084", Pipeline("[Raft]\n[[|OnlineDpo(Beta = 0.1)|]]"),
            "[OnlineDpo] cannot be combined with [Raft]: each replaces the policy-gradient objective with its own");
    }

    [Fact]
    public void RFT0084_topr_with_truncated_weights_at_the_correction()
    {
        AssertSingle("RFT0084", Pipeline("[Topr]\n[Replay([|Correction = ImportanceCorrection.TruncatedWeights|])]"),
            "TOPR already truncates its importance ratio against the behaviour policy");
    }

    [Fact]
    public void RFT0084_offline_rollouts_with_dynamic_sampling_at_the_offline_attribute()
    {
        AssertSingle("RFT0084", Pipeline("[DynamicSampling]\n[[|OfflineRollouts(\"logs/x.jsonl\")|]]"),
            "[OfflineRollouts] cannot be combined with [DynamicSampling]: an offline step reads logged completions");
    }

    [Fact]
    public void RFT0085_replay_storage_smaller_than_a_step_at_the_capacity()
    {
        AssertSingle("RFT0085", Pipeline("[Grpo(GroupSize = 8, PromptsPerStep = 8)]\n[Replay([|Capacity = 32|])]"),
            "Capacity = 32 in [Replay] holds fewer rows than one step's 64 completions (PromptsPerStep 8 x GroupSize 8)");
    }

    [Fact]
    public void RFT0086_reincarnation_beyond_the_run_is_a_warning_at_the_step()
    {
        var run = AssertSingle("RFT0086", Pipeline("[Replay]\n[KlPenalty(0.01)]\n[ReMix([|ReincarnationStep = 500|])]\n[Training(Steps = 100)]"),
            "ReincarnationStep = 500 in [ReMix] is beyond the run's 100 steps");

        Assert.Equal(DiagnosticSeverity.Warning, run.Diagnostics[0].Severity);
    }

    [Fact]
    public void RFT0087_offline_rollouts_without_a_path_at_the_argument()
    {
        AssertSingle("RFT0087", Pipeline("[OfflineRollouts([|\" \"|])]"), "[OfflineRollouts] needs the path of a JSON Lines file");
    }

    [Fact]
    public void RFT0018_raft_keeping_more_than_a_group_at_the_argument()
    {
        AssertSingle("RFT0018", Pipeline("[Grpo(GroupSize = 4)]\n[Raft([|TopK = 5|])]"), "TopK = 5 in [Raft] is invalid: it must be at most GroupSize = 4");
    }

    [Fact]
    public void RFT0018_on_policy_share_out_of_range_at_the_argument()
    {
        AssertSingle("RFT0018", Pipeline("[Replay([|OnPolicyShare = 0|])]"), "OnPolicyShare = 0 in [Replay] is invalid: it must be in (0, 1]");
    }

    private static GeneratorRun AssertSingle(string id, string markedSource, string messageFragment) =>
        DiagnosticAssert.Single(id, markedSource, messageFragment);

    private static string Pipeline(string attributes, string members = "") => LossCompositionDiagnosticTests.Pipeline(attributes, members);
}
