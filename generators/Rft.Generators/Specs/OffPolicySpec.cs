namespace Rft.Generators.Specs;

/// <summary>
/// The off-policy and rejection-sampling declarations: replay, ReMix, RAFT, online DPO and logged rollouts. Each is
/// null when not declared; the parser has already rejected the combinations that cannot work together.
/// </summary>
internal sealed record OffPolicySpec(ReplaySpec? Replay, ReMixSpec? ReMix, RaftSpec? Raft, OnlineDpoSpec? Dpo, OfflineRolloutsSpec? Offline)
{
    public static OffPolicySpec None { get; } = new(null, null, null, null, null);
}
