using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Rft.Generators.Diagnostics;

/// <summary>Every diagnostic the Rft generator reports. Keep AnalyzerReleases.Unshipped.md in step.</summary>
internal static partial class DiagnosticDescriptors
{
    private const string Category = "Rft";

    public static readonly DiagnosticDescriptor PipelineNotPartial = Error(
        "RFT0001",
        "Pipeline class must be partial",
        "The [Pipeline] class '{0}' must be declared partial: the generator adds its trainer to it");

    public static readonly DiagnosticDescriptor RewardParameterUnbound = Error(
        "RFT0002",
        "Reward parameter binds to nothing",
        "Reward '{0}' parameter '{1}' matches no member of {2} ({3}): a reward parameter is named after a property or field of the record (in any case), or has the type {2} or Completion");

    public static readonly DiagnosticDescriptor RewardParameterTypeMismatch = Error(
        "RFT0003",
        "Reward parameter type differs from the record member's",
        "Reward '{0}' parameter '{1}' has type {2}, but {3}.{4} is {5}: declare the parameter as {5}");

    public static readonly DiagnosticDescriptor RewardReturnType = Error(
        "RFT0004",
        "Reward returns an unsupported type",
        "Reward '{0}' returns {1}: a reward returns float, double or ValueTask<float>");

    public static readonly DiagnosticDescriptor RecordTypeMismatch = Error(
        "RFT0005",
        "Sources yield different record types",
        "[{0}] '{1}' yields {2}, but [Source] '{3}' yields {4}: all sources of a pipeline yield the same record type");

    public static readonly DiagnosticDescriptor InvalidWeight = Error(
        "RFT0006",
        "Weight out of range",
        "[{0}] '{1}' has Weight = {2}: {3}");

    public static readonly DiagnosticDescriptor NoReward = Error(
        "RFT0007",
        "Pipeline declares no reward",
        "The pipeline '{0}' declares no [Reward] method: declare at least one, e.g. [Reward] static float Correct(int answer, Completion completion)");

    public static readonly DiagnosticDescriptor GroupSizeTooSmall = Error(
        "RFT0008",
        "Group size must be at least 2",
        "GroupSize = {0} is invalid: GRPO normalises each completion's reward against the other completions of its prompt, so a group needs at least 2");

    public static readonly DiagnosticDescriptor NoSource = Error(
        "RFT0009",
        "Pipeline declares no source",
        "The pipeline '{0}' declares no [Source] method: declare at least one static IEnumerable<TRecord> Name(Random rng)");

    public static readonly DiagnosticDescriptor NoPrompt = Error(
        "RFT0010",
        "Pipeline declares no prompt",
        "The pipeline '{0}' declares no [Prompt] method: declare one static string Name({1} record) that renders what the policy sees");

    public static readonly DiagnosticDescriptor DuplicateRole = Error(
        "RFT0011",
        "A pipeline has at most one method of this kind",
        "'{1}' is a second [{0}] method: a pipeline has at most one, and '{2}' is already declared");

    public static readonly DiagnosticDescriptor InvalidSignature = Error(
        "RFT0012",
        "Method has an invalid signature for its role",
        "[{0}] method '{1}' {2}");

    public static readonly DiagnosticDescriptor NoEvalSource = Warning(
        "RFT0013",
        "Pipeline declares no held-out evaluation source",
        "The pipeline '{0}' declares no [EvalSource] method: evaluation draws Rft:EvalCount records from the training sources with their own seed, so they may repeat training records");

    public static readonly DiagnosticDescriptor DuplicateAccuracyReward = Error(
        "RFT0014",
        "Only one reward measures accuracy",
        "Reward '{0}' has Accuracy = true, but so has '{1}': only one reward measures accuracy");

    public static readonly DiagnosticDescriptor DuplicateName = Error(
        "RFT0015",
        "Sources and rewards need distinct names",
        "'{0}' is the name of a [{1}] method and of an earlier [{2}] method: each source and reward gets its own option {0}Weight, so their names must differ");

    public static readonly DiagnosticDescriptor WarmupWithoutDemonstration = Warning(
        "RFT0016",
        "[SftWarmup] without a [Demonstration] has no effect",
        "[SftWarmup] has no effect: the pipeline '{0}' declares no [Demonstration] method whose targets the warm-up would imitate");

    public static readonly DiagnosticDescriptor UnsupportedPipelineShape = Error(
        "RFT0017",
        "Pipeline class must be a top-level, non-generic class",
        "The [Pipeline] class '{0}' {1}: declare it as a non-generic class directly in a namespace");

    public static readonly DiagnosticDescriptor SettingOutOfRange = Error(
        "RFT0018",
        "Pipeline setting out of range",
        "{0} = {1} in [{2}] is invalid: it must be {3}");

    // ---- Loss composition (RFT0030-RFT0049) ---------------------------------------------------------

    public static readonly DiagnosticDescriptor DuplicateAdvantageEstimator = Error(
        "RFT0030",
        "A pipeline declares at most one advantage estimator",
        "[{0}] is a second advantage estimator: [{1}] is already declared; keep one of [Grpo], [Rloo], [ReinforcePlusPlus] or [Gae]");

    public static readonly DiagnosticDescriptor GaeWithoutValueHead = Error(
        "RFT0031",
        "[Gae] needs a value head",
        "[Gae] estimates advantages from learned values, but the pipeline '{0}' declares no [ValueHead]: add [ValueHead] or choose [Grpo], [Rloo] or [ReinforcePlusPlus]");

    public static readonly DiagnosticDescriptor ValueHeadWithoutGae = Warning(
        "RFT0032",
        "[ValueHead] without [Gae] has no effect",
        "[ValueHead] has no effect: only [Gae] reads values, and the pipeline '{0}' uses [{1}]; no value head is built");

    public static readonly DiagnosticDescriptor DuplicatePolicyLoss = Error(
        "RFT0033",
        "A pipeline declares at most one policy loss",
        "[{0}] is a second policy loss: [{1}] is already declared, and their importance ratios conflict; keep one of [ClippedSurrogate], [Gspo] or [Topr]");

    public static readonly DiagnosticDescriptor ConflictingClipRange = Error(
        "RFT0034",
        "Clip range set on [Grpo] and on the policy loss",
        "{0} on [Grpo] conflicts with the declared policy loss [{1}], which has its own clip range: set {0} on [{1}] only");

    public static readonly DiagnosticDescriptor SftTermWithoutDemonstration = Error(
        "RFT0035",
        "[SftTerm] needs a [Demonstration]",
        "[SftTerm] imitates demonstrations, but the pipeline '{0}' declares no [Demonstration] method: declare static string Name({1} record) that renders the target completion");

    public static readonly DiagnosticDescriptor InvalidLossTermSignature = Error(
        "RFT0036",
        "Loss term has an invalid signature",
        "[LossTerm] method '{0}' {1}: declare it as public static TorchSharp.torch.Tensor {0}(StepView s) returning a scalar");

    public static readonly DiagnosticDescriptor StepViewMemberUnavailable = Error(
        "RFT0037",
        "Step-view member the pipeline cannot produce",
        "[LossTerm] '{0}' reads StepView.{1}, which this pipeline does not produce: {2}");

    public static readonly DiagnosticDescriptor StepViewEscapes = Warning(
        "RFT0038",
        "Step view escapes the loss term",
        "[LossTerm] '{0}' passes its StepView '{1}' on or stores it, so the generator cannot see which members it reads: every member this pipeline can produce is computed each step (reference log-probs and entropy included); read members directly as {1}.Member to compute only those");

    public static readonly DiagnosticDescriptor InvalidLossTermWeight = Error(
        "RFT0039",
        "Loss term weight must be positive",
        "[LossTerm] '{0}' has Weight = {1}: a loss term's weight must be a positive finite number (negate the term to subtract it)");

    public static readonly DiagnosticDescriptor AggregationIgnoredByGspo = Warning(
        "RFT0040",
        "[Gspo] ignores [Aggregation]",
        "[Aggregation({0})] does not apply to the policy loss: [Gspo] always aggregates by seq-mean-token-mean, as verl does; the other terms use {0}");

    public static readonly DiagnosticDescriptor ChordWeightAboveOne = Error(
        "RFT0041",
        "CHORD's mu must be at most 1",
        "{0} = {1} in [SftTerm] is invalid with Schedule = SftSchedule.Chord: mu mixes (1 - mu) RL + mu SFT, so it must be in [0, 1]");

    // Built on first use: the descriptors of the other partial files are initialised by then.
    private static Dictionary<string, DiagnosticDescriptor>? _all;

    public static DiagnosticDescriptor ById(string id) => (_all ??= new[]
    {
        PipelineNotPartial, RewardParameterUnbound, RewardParameterTypeMismatch, RewardReturnType, RecordTypeMismatch,
        InvalidWeight, NoReward, GroupSizeTooSmall, NoSource, NoPrompt, DuplicateRole, InvalidSignature,
        NoEvalSource, DuplicateAccuracyReward, DuplicateName, WarmupWithoutDemonstration, UnsupportedPipelineShape,
        SettingOutOfRange,
        DuplicateAdvantageEstimator, GaeWithoutValueHead, ValueHeadWithoutGae, DuplicatePolicyLoss, ConflictingClipRange,
        SftTermWithoutDemonstration, InvalidLossTermSignature, StepViewMemberUnavailable, StepViewEscapes, InvalidLossTermWeight,
        AggregationIgnoredByGspo, ChordWeightAboveOne,
    }.Concat(DataDescriptors).Concat(UpdateDescriptors).Concat(OffPolicyDescriptors).ToDictionary(d => d.Id))[id];

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);
}
