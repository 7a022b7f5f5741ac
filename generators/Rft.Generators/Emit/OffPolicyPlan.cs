using System.Collections.Generic;
using Rft.Generators.Specs;

namespace Rft.Generators.Emit;

/// <summary>
/// What replay, ReMix, RAFT, online DPO and logged rollouts change in a trainer, decided once from the spec: which
/// expressions the update loop reads (its rows' token counts, its mini-batch count), which tensors the update batch
/// carries, and the off-policy metrics with the expression each one is read from.
/// </summary>
internal sealed class OffPolicyPlan
{
    public OffPolicyPlan(PipelineSpec pipeline)
    {
        var spec = pipeline.OffPolicy;
        Replay = spec.Replay;
        ReMix = spec.ReMix;
        Raft = spec.Raft;
        Dpo = spec.Dpo;
        Offline = spec.Offline;
        HasReference = pipeline.Loss.NeedsReferencePolicy;
        KlConvex = ReMix is not null && pipeline.Loss.KlPenalty is { InReward: false };
        Metrics = CollectMetrics();
    }

    public ReplaySpec? Replay { get; }

    public ReMixSpec? ReMix { get; }

    public RaftSpec? Raft { get; }

    public OnlineDpoSpec? Dpo { get; }

    public OfflineRolloutsSpec? Offline { get; }

    public bool HasReference { get; }

    /// <summary>The KL term of the loss is ReMix's KL-convex combination of the base and the precedent policy.</summary>
    public bool KlConvex { get; }

    /// <summary>The update trains on a mix of fresh and replayed rows, built from the replay storage.</summary>
    public bool Replays => Replay is not null;

    /// <summary>Online DPO alternates with the policy gradient: on a DPO step the policy-gradient passes are skipped.</summary>
    public bool SkipsPolicyGradientOnDpoSteps => Dpo is { Alternates: true };

    /// <summary>The expression of each update row's tokens in the loss (the mini-batch normalisers).</summary>
    public string RowTokens => Replays ? "mix.RowTokens" : "_rowTokens";

    /// <summary>The expression of the optimizer steps per epoch (before the cap at the update's rows).</summary>
    public string MiniBatches => ReMix is not null ? "onPolicy ? _options.MiniBatches : _options.UpdateToData" : "_options.MiniBatches";

    /// <summary>The most rows an update has (Setup's <c>rows</c> is a step's rollout).</summary>
    public string MaxUpdateRows => Replays ? "rows + global::Rft.Rollout.ReplayBuffer.ReplayedRows(rows, _options.ReplayOnPolicyShare)" : "rows";

    /// <summary>Each off-policy metric's name in metrics.jsonl and the expression, valid at the end of Update, it is read from.</summary>
    public IReadOnlyList<(string Name, string Value)> Metrics { get; }

    private List<(string Name, string Value)> CollectMetrics()
    {
        var metrics = new List<(string, string)>();
        if (Replays)
        {
            metrics.Add(("replay/fresh_rows", "mix.Fresh"));
            metrics.Add(("replay/replayed_rows", "mix.Replayed"));
            metrics.Add(("replay/stored_rows", "_replay.Count"));
            metrics.Add(("replay/mean_staleness", "mix.MeanStaleness"));
            metrics.Add(("replay/evicted_stale", "_replay.EvictedStale"));
            metrics.Add(("replay/skipped_flat", "_replay.SkippedFlat"));
            metrics.Add(("replay/replayed_length", "mix.ReplayedMeanLength"));
            metrics.Add(("replay/is_weight_mean", "importance.Mean"));
            metrics.Add(("replay/is_truncated_share", "importance.TruncatedShare"));
        }

        if (ReMix is not null)
        {
            metrics.Add(("remix/kl_base", "klToBase"));
            metrics.Add(("remix/on_policy", "onPolicy ? 1 : 0"));
        }

        if (Raft is not null)
        {
            metrics.Add(("raft/kept", "_raft.Kept"));
            metrics.Add(("raft/kept_reward", "_raft.KeptMeanReward"));
        }

        if (Dpo is not null)
        {
            metrics.Add(("dpo/pairs", "_pairs.Count"));
            metrics.Add(("dpo/weight", "dpoWeight"));
            metrics.Add(("dpo/loss", "_pairs.MeanLoss"));
            metrics.Add(("dpo/accuracy", "_pairs.MeanAccuracy"));
            metrics.Add(("dpo/margin", "_pairs.MeanMargin"));
        }

        if (Offline is not null) metrics.Add(("offline/groups_read", "_logged.Position"));
        return metrics;
    }
}
