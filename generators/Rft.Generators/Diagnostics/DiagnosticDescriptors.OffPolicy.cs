using Microsoft.CodeAnalysis;

namespace Rft.Generators.Diagnostics;

/// <summary>Diagnostics of replay, ReMix, RAFT, online DPO and logged rollouts (RFT0080–RFT0089).</summary>
internal static partial class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor ReplayWithValueHead = Error(
        "RFT0080",
        "[Replay] cannot replay value-head estimates",
        "[Replay] cannot be combined with [{0}]: a replayed row would need the values the value head gave it when it was sampled, for GAE and the value clip, and the replay storage keeps no behaviour values; use [Grpo], [Rloo] or [ReinforcePlusPlus]");

    public static readonly DiagnosticDescriptor ReMixWithoutReplay = Error(
        "RFT0081",
        "[ReMix] needs [Replay]",
        "[ReMix] trains on fresh and replayed rollouts, but the pipeline '{0}' declares no [Replay]: add [Replay(Capacity = ..., MaxStaleness = ..., OnPolicyShare = ...)]");

    public static readonly DiagnosticDescriptor ReMixWithoutKlTarget = Error(
        "RFT0082",
        "[ReMix] needs a KL target in the loss",
        "[ReMix]'s KL-convex constraint mixes the KL to the base model and to the precedent policy in the loss, but the pipeline '{0}' {1}: declare [KlPenalty(beta)] with Placement = KlPlacement.InLoss");

    public static readonly DiagnosticDescriptor RaftWithAdvantageTerm = Error(
        "RFT0083",
        "[Raft] has no advantages",
        "[Raft] trains on the best completions of each group with the supervised loss, which computes no advantages or importance ratios, but {0} needs them: remove it");

    public static readonly DiagnosticDescriptor IncompatibleOffPolicy = Error(
        "RFT0084",
        "Off-policy declarations that cannot be combined",
        "[{0}] cannot be combined with [{1}]: {2}");

    public static readonly DiagnosticDescriptor ReplayCapacityTooSmall = Error(
        "RFT0085",
        "Replay storage smaller than a step",
        "Capacity = {0} in [Replay] holds fewer rows than one step's {1} completions (PromptsPerStep {2} x GroupSize {3}): use at least {1}");

    public static readonly DiagnosticDescriptor ReincarnationNeverReached = Warning(
        "RFT0086",
        "Reincarnation step beyond the run",
        "ReincarnationStep = {0} in [ReMix] is beyond the run's {1} steps: the reference is never replaced; lower it, or set 0 to say so");

    public static readonly DiagnosticDescriptor OfflineRolloutsPathEmpty = Error(
        "RFT0087",
        "[OfflineRollouts] needs a file",
        "[OfflineRollouts] needs the path of a JSON Lines file of logged rollouts (one written with --Rft:DumpRollouts=true, or lines with prompt, completion and reward)");

    private static readonly DiagnosticDescriptor[] OffPolicyDescriptors =
    {
        ReplayWithValueHead, ReMixWithoutReplay, ReMixWithoutKlTarget, RaftWithAdvantageTerm, IncompatibleOffPolicy,
        ReplayCapacityTooSmall, ReincarnationNeverReached, OfflineRolloutsPathEmpty,
    };
}
