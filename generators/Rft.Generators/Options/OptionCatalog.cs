using System.Collections.Generic;
using System.Linq;

namespace Rft.Generators.Options;

/// <summary>
/// Which attribute property becomes which option and its valid range: one table for the parser's
/// compile-time checks and the emitter's <c>Validate()</c>.
/// </summary>
internal static class OptionCatalog
{
    /// <summary>
    /// The rule of every <c>&lt;Source&gt;Weight</c> and <c>&lt;LossTerm&gt;Weight</c> option. A source of weight 0
    /// would never be drawn (the mixture picks by weight), so it is an error rather than a way to switch a source off.
    /// </summary>
    public static OptionRule Weight => OptionRule.Positive;

    /// <summary>The rule of every <c>&lt;Reward&gt;Weight</c> option: 0 is valid, a reward tracked in the metrics but not rewarded.</summary>
    public static OptionRule RewardWeight => OptionRule.NonNegative;

    public static IReadOnlyList<OptionEntry> Entries { get; } = new[]
    {
        new OptionEntry("Training", "Seed", "Seed", OptionRule.AtLeast(0)),
        new OptionEntry("Training", "Steps", "Steps", OptionRule.AtLeast(0)),
        new OptionEntry("Training", "LearningRate", "LearningRate", OptionRule.Positive),
        new OptionEntry("Training", "WarmupSteps", "WarmupSteps", OptionRule.AtLeast(0)),
        new OptionEntry("Training", "MinLearningRateRatio", "MinLearningRateRatio", OptionRule.InClosedRange(0, 1)),
        new OptionEntry("Training", "WeightDecay", "WeightDecay", OptionRule.AtLeast(0)),
        new OptionEntry("Training", "MaxGradNorm", "MaxGradNorm", OptionRule.AtLeast(0)),
        new OptionEntry("Training", "LogEvery", "LogEvery", OptionRule.AtLeast(1)),
        new OptionEntry("Training", "EvalEvery", "EvalEvery", OptionRule.AtLeast(0)),
        new OptionEntry("Training", "MicroBatchSize", "MicroBatchSize", OptionRule.AtLeast(0)),
        new OptionEntry("Training", "PpoEpochs", "PpoEpochs", OptionRule.AtLeast(1)),
        new OptionEntry("Training", "MiniBatches", "MiniBatches", OptionRule.AtLeast(1)),
        new OptionEntry("Training", "CheckpointEvery", "CheckpointEvery", OptionRule.AtLeast(0)),
        new OptionEntry("Training", "MaxTimedOutShare", "MaxTimedOutShare", OptionRule.InRangeExclusiveLow(0, 1)),
        new OptionEntry("Reward", "TimeoutSeconds", "RewardTimeoutSeconds", OptionRule.AtLeast(0)),
        new OptionEntry("Training", "KeepCheckpoints", "KeepCheckpoints", OptionRule.AtLeast(1)),
        new OptionEntry("Grpo", "GroupSize", "GroupSize", OptionRule.AtLeast(2)),
        new OptionEntry("Grpo", "PromptsPerStep", "PromptsPerStep", OptionRule.AtLeast(1)),
        new OptionEntry("Grpo", "ClipLow", "ClipLow", OptionRule.InRange(0, 1)),
        new OptionEntry("Grpo", "ClipHigh", "ClipHigh", OptionRule.AtLeast(0)),
        new OptionEntry("Grpo", "Epsilon", "Epsilon", OptionRule.Positive),
        new OptionEntry("KlPenalty", "Beta", "KlBeta", OptionRule.AtLeast(0)),
        new OptionEntry("EntropyBonus", "Coefficient", "EntropyCoefficient", OptionRule.AtLeast(0)),
        new OptionEntry("Rollout", "MaxNewTokens", "MaxNewTokens", OptionRule.AtLeast(1)),
        new OptionEntry("Rollout", "MaxPromptTokens", "MaxPromptTokens", OptionRule.AtLeast(1)),
        new OptionEntry("Rollout", "Temperature", "Temperature", OptionRule.AtLeast(0)),
        new OptionEntry("Rollout", "TopP", "TopP", OptionRule.InRangeExclusiveLow(0, 1)),
        new OptionEntry("Rollout", "DecodeRows", "DecodeRows", OptionRule.AtLeast(0)),
        new OptionEntry("SftWarmup", "MaxSteps", "SftMaxSteps", OptionRule.AtLeast(0)),
        new OptionEntry("SftWarmup", "BatchSize", "SftBatchSize", OptionRule.AtLeast(1)),
        new OptionEntry("SftWarmup", "LearningRate", "SftLearningRate", OptionRule.Positive),
        new OptionEntry("SftWarmup", "TargetAccuracy", "SftTargetAccuracy", OptionRule.AtLeast(0)),
        new OptionEntry("SftWarmup", "EvalEvery", "SftEvalEvery", OptionRule.AtLeast(1)),
        new OptionEntry("SftWarmup", "ValidationSize", "SftValidationSize", OptionRule.AtLeast(1)),
        new OptionEntry("SftWarmup", "WarmupSteps", "SftWarmupSteps", OptionRule.AtLeast(0)),
        new OptionEntry("SftWarmup", "MinLearningRateRatio", "SftMinLearningRateRatio", OptionRule.InClosedRange(0, 1)),
        new OptionEntry("EvalSource", "Count", "EvalCount", OptionRule.AtLeast(1)),
        new OptionEntry("JsonlEvalSource", "Count", "EvalCount", OptionRule.AtLeast(1)),
        new OptionEntry("Lora", "Rank", "LoraRank", OptionRule.AtLeast(1)),
        new OptionEntry("Lora", "Alpha", "LoraAlpha", OptionRule.Positive),
        new OptionEntry("Lora", "Dropout", "LoraDropout", OptionRule.InRange(0, 1)),
        new OptionEntry("Curriculum", "Threshold", "CurriculumThreshold", OptionRule.InRangeExclusiveLow(0, 1)),
        new OptionEntry("Curriculum", "Window", "CurriculumWindow", OptionRule.AtLeast(1)),
        new OptionEntry("Curriculum", "Alpha", "CurriculumAlpha", OptionRule.InRangeExclusiveLow(0, 1)),
        new OptionEntry("Curriculum", "Temperature", "CurriculumTemperature", OptionRule.Positive),
        new OptionEntry("PassRateFilter", "Window", "FilterWindow", OptionRule.AtLeast(1)),
        new OptionEntry("PassRateFilter", "MinAttempts", "FilterMinAttempts", OptionRule.AtLeast(1)),
        new OptionEntry("PassRateFilter", "MaxSkipsPerDraw", "FilterMaxSkipsPerDraw", OptionRule.AtLeast(0)),
        new OptionEntry("DynamicSampling", "MaxExtraRounds", "DynamicSamplingMaxExtraRounds", OptionRule.AtLeast(0)),

        // Loss composition: every estimator has the rollout shape; the policy losses share the clip options.
        new OptionEntry("Rloo", "GroupSize", "GroupSize", OptionRule.AtLeast(2)),
        new OptionEntry("Rloo", "PromptsPerStep", "PromptsPerStep", OptionRule.AtLeast(1)),
        new OptionEntry("ReinforcePlusPlus", "GroupSize", "GroupSize", OptionRule.AtLeast(2)),
        new OptionEntry("ReinforcePlusPlus", "PromptsPerStep", "PromptsPerStep", OptionRule.AtLeast(1)),
        new OptionEntry("ReinforcePlusPlus", "Gamma", "Gamma", OptionRule.InRangeExclusiveLow(0, 1)),
        new OptionEntry("Gae", "GroupSize", "GroupSize", OptionRule.AtLeast(2)),
        new OptionEntry("Gae", "PromptsPerStep", "PromptsPerStep", OptionRule.AtLeast(1)),
        new OptionEntry("Gae", "Gamma", "Gamma", OptionRule.InRangeExclusiveLow(0, 1)),
        new OptionEntry("Gae", "Lambda", "Lambda", OptionRule.InRangeExclusiveLow(0, 1)),
        new OptionEntry("ClippedSurrogate", "ClipLow", "ClipLow", OptionRule.InRange(0, 1)),
        new OptionEntry("ClippedSurrogate", "ClipHigh", "ClipHigh", OptionRule.AtLeast(0)),
        new OptionEntry("ClippedSurrogate", "ClipRatioC", "ClipRatioC", OptionRule.InRangeExclusiveLow(1, 100)),
        new OptionEntry("Gspo", "ClipLow", "ClipLow", OptionRule.InRange(0, 1)),
        new OptionEntry("Gspo", "ClipHigh", "ClipHigh", OptionRule.AtLeast(0)),
        new OptionEntry("ValueHead", "Coefficient", "ValueCoefficient", OptionRule.AtLeast(0)),
        new OptionEntry("ValueHead", "ClipRange", "ValueClipRange", OptionRule.Positive),
        new OptionEntry("ValueHead", "LearningRate", "ValueLearningRate", OptionRule.Positive),
        new OptionEntry("SftTerm", "Weight", "SftTermWeight", OptionRule.AtLeast(0)),
        new OptionEntry("SftTerm", "EndWeight", "SftTermEndWeight", OptionRule.AtLeast(0)),
        new OptionEntry("SftTerm", "WarmupSteps", "SftTermWarmupSteps", OptionRule.AtLeast(0)),
        new OptionEntry("SftTerm", "DecaySteps", "SftTermDecaySteps", OptionRule.AtLeast(0)),

        // Off-policy: replay, ReMix, RAFT and online DPO.
        new OptionEntry("Replay", "Capacity", "ReplayCapacity", OptionRule.AtLeast(1)),
        new OptionEntry("Replay", "MaxStaleness", "ReplayMaxStaleness", OptionRule.AtLeast(1)),
        new OptionEntry("Replay", "OnPolicyShare", "ReplayOnPolicyShare", OptionRule.InRangeExclusiveLow(0, 1)),
        new OptionEntry("Replay", "TruncationCap", "ReplayTruncationCap", OptionRule.AtLeast(1)),
        new OptionEntry("ReMix", "UpdateToData", "UpdateToData", OptionRule.AtLeast(1)),
        new OptionEntry("ReMix", "KlConvexWeight", "KlConvexWeight", OptionRule.InClosedRange(0, 1)),
        new OptionEntry("ReMix", "ReincarnationStep", "ReincarnationStep", OptionRule.AtLeast(0)),
        new OptionEntry("Raft", "TopK", "RaftTopK", OptionRule.AtLeast(1)),
        new OptionEntry("OnlineDpo", "Beta", "DpoBeta", OptionRule.Positive),
        new OptionEntry("OnlineDpo", "Every", "DpoEvery", OptionRule.AtLeast(1)),
        new OptionEntry("OnlineDpo", "Weight", "DpoWeight", OptionRule.AtLeast(0)),
    };

    // An option may come from several attributes (GroupSize from each estimator): its rule is the same.
    private static readonly Dictionary<string, OptionEntry> ByOption = Entries.GroupBy(e => e.Option).ToDictionary(g => g.Key, g => g.First());

    /// <summary>The entry of an attribute's property (attribute name without "Attribute"), or null.</summary>
    public static OptionEntry? Find(string attribute, string property) =>
        Entries.FirstOrDefault(e => e.Attribute == attribute && e.Property == property);

    /// <summary>The rule of a catalogued option.</summary>
    public static OptionRule RuleOf(string option) => ByOption[option].Rule;
}
