using System.Collections.Generic;
using System.Linq;
using Rft.Generators.Emit;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    internal static partial class Emitter
    {
        private const string Algorithms = "global::Rft.Algorithms";

        // ---- Trainer summary ----------------------------------------------------------------------------

        /// <summary>What the step optimises and, as important, what it never computes.</summary>
        private static void WriteLossSummary(SourceWriter writer, TrainerModel t, string rewards)
        {
            var p = t.Pipeline;
            var loss = p.Loss;
            string aggregated = loss.PolicyLoss.Kind == PolicyLossKind.Gspo
                ? "aggregated by seq-mean-token-mean as verl's GSPO (other terms by " + AggregationName(loss.Aggregation) + ")."
                : "aggregated by " + AggregationName(loss.Aggregation) + ".";
            string objective = Estimator(loss.Advantage) + " advantages and " + PolicyLossName(loss.PolicyLoss) + " on " + rewards + ", " + aggregated;
            WriteWrapped(writer, "/// ", p.Warmup is { MaxSteps: > 0 } warmup
                ? $"a supervised warm-up on <c>{warmup.Demonstration}</c>, then {objective}"
                : objective);
            WriteWrapped(writer, "/// ", loss.KlPenalty switch
            {
                null when loss.ReferenceForPreferences => "No KL term is declared; online DPO compares with a frozen reference policy, the policy as RL starts.",
                null when loss.NeedsReferencePolicy => "No KL term is declared, but a loss term reads RefLogProbs: a frozen reference policy, the policy as RL starts, is built and run.",
                null => "No KL term is declared: no reference policy is built or run.",
                { InReward: true } => "A KL penalty (Rft:KlBeta, Rft:KlEstimator) of the behaviour policy to a frozen reference policy, the policy as RL starts, is subtracted from the token rewards before the advantage.",
                _ => "A KL penalty (Rft:KlBeta, Rft:KlEstimator) to a frozen reference policy, the policy as RL starts, is added to the loss.",
            });
            WriteWrapped(writer, "/// ", loss.EntropyBonus is not null
                ? "An entropy bonus (Rft:EntropyCoefficient) on the completion tokens is subtracted from the loss."
                : loss.NeedsEntropy
                    ? "No entropy term is declared, but a loss term reads Entropy: entropy is computed for it."
                    : "No entropy term is declared: entropy is not computed.");
            WriteWrapped(writer, "/// ", loss.ValueHead is null
                ? "No value head: values are never computed."
                : "A value head on the policy's last hidden state gives GAE its values and is trained with the clipped value loss (Rft:ValueCoefficient).");
            if (loss.SftTerm is { } sft)
            {
                WriteWrapped(writer, "/// ", sft.IsChord
                    ? $"CHORD: the policy loss is mixed as (1 - mu) RL + mu SFT, with SFT the cross-entropy on <c>{sft.Demonstration}</c> of the step's records and mu warming up then decaying (Rft:SftTermWeight to Rft:SftTermEndWeight){(sft.TokenWeight ? ", each token weighted by p (1 - p)" : "")}."
                    : $"An SFT term, the cross-entropy on <c>{sft.Demonstration}</c> of the step's records, is added with a {sft.Schedule.ToLowerInvariant()} weight (Rft:SftTermWeight){(sft.TokenWeight ? ", each token weighted by p (1 - p)" : "")}.");
            }

            if (loss.Terms.Count > 0)
            {
                var terms = loss.Terms.Select(term => $"<c>{term.Method}</c> (reads {Conjunction(Reads(term.Reads))})").ToList();
                WriteWrapped(writer, "/// ", (terms.Count == 1 ? "The user term " : "The user terms ") + Conjunction(terms) + (terms.Count == 1 ? " is" : " are") + " added by weight.");
            }
        }

        private static string Estimator(AdvantageSpec advantage) => advantage.Kind switch
        {
            AdvantageEstimatorKind.Rloo => "RLOO (leave-one-out)",
            AdvantageEstimatorKind.ReinforcePlusPlus => advantage.GroupBaseline ? "REINFORCE++ (group baseline, whitened)" : "REINFORCE++ (discounted return, whitened)",
            AdvantageEstimatorKind.Gae => "PPO with GAE",
            _ => advantage.ScaleByStd ? "GRPO (group-normalised)" : "Dr.GRPO (group-centred, no std)",
        };

        private static string PolicyLossName(PolicyLossSpec loss) => loss.Kind switch
        {
            PolicyLossKind.Gspo => "GSPO's sequence-ratio clipped loss",
            PolicyLossKind.Topr => "TOPR's tapered off-policy REINFORCE",
            PolicyLossKind.Raft => "RAFT's supervised loss on the best completions",
            _ => "the clipped surrogate",
        };

        private static string AggregationName(string mode) => mode switch
        {
            "TokenMean" => "token mean",
            "SeqMeanTokenSum" => "seq-mean-token-sum",
            "SeqMeanTokenMean" => "seq-mean-token-mean",
            "SeqMeanTokenSumNorm" => "seq-mean-token-sum-norm (Dr.GRPO's constant MaxNewTokens)",
            _ => "Rft:Aggregation",
        };

        private static List<string> Reads(StepQuantity reads) =>
            System.Enum.GetValues(typeof(StepQuantity)).Cast<StepQuantity>()
                .Where(q => q != StepQuantity.None && q != StepQuantity.AllButValues && (reads & q) == q)
                .Select(q => q.ToString())
                .DefaultIfEmpty("nothing")
                .ToList();

        // ---- Options --------------------------------------------------------------------------------------

        /// <summary>The estimator, the policy loss, the aggregation and the optional terms, in that order.</summary>
        private static List<OptionSection> LossOptionSections(PipelineSpec pipeline)
        {
            var loss = pipeline.Loss;
            var advantage = loss.Advantage;
            var sections = new List<OptionSection>();

            var estimator = new List<OptionProperty> { Int("GroupSize", advantage.GroupSize), Int("PromptsPerStep", advantage.PromptsPerStep) };
            switch (advantage.Kind)
            {
                case AdvantageEstimatorKind.Grpo:
                    estimator.Add(new OptionProperty("ScaleByStd", "bool", Literals.Bool(advantage.ScaleByStd), new string[0]));
                    estimator.Add(Double("Epsilon", advantage.Epsilon));
                    break;
                case AdvantageEstimatorKind.ReinforcePlusPlus when !advantage.GroupBaseline:
                    estimator.Add(Double("Gamma", advantage.Gamma));
                    break;
                case AdvantageEstimatorKind.Gae:
                    estimator.Add(Double("Gamma", advantage.Gamma));
                    estimator.Add(Double("Lambda", advantage.Lambda));
                    break;
            }

            sections.Add(new("[" + advantage.AttributeName + "]", estimator));

            var policyLoss = loss.PolicyLoss;
            switch (policyLoss.Kind)
            {
                case PolicyLossKind.ClippedSurrogate:
                    sections.Add(new(policyLoss.IsDeclared ? "[ClippedSurrogate]" : "The clipped surrogate (the default policy loss)", new[]
                    {
                        Double("ClipLow", policyLoss.ClipLow),
                        Double("ClipHigh", policyLoss.ClipHigh),
                        Double("ClipRatioC", policyLoss.ClipRatioC),
                    }));
                    break;
                case PolicyLossKind.Gspo:
                    sections.Add(new("[Gspo]", new[] { Double("ClipLow", policyLoss.ClipLow), Double("ClipHigh", policyLoss.ClipHigh) }));
                    break;
                case PolicyLossKind.Topr:
                    sections.Add(new("[Topr]", new[]
                    {
                        new OptionProperty("ToprThreshold", "double", Literals.Double(policyLoss.Threshold), new[]
                        {
                            "if (!double.IsFinite(ToprThreshold))",
                            "    errors.Add($\"Rft:ToprThreshold = {ToprThreshold} is invalid: it must be a finite number.\");",
                        }),
                    }));
                    break;
            }

            sections.Add(new("[Aggregation]", new[]
            {
                EnumOption("Aggregation", "global::Rft.AggregationMode", loss.Aggregation),
            }));

            if (loss.KlPenalty is { } kl)
            {
                sections.Add(new(kl.InReward ? "[KlPenalty] in the reward" : "[KlPenalty]", new[]
                {
                    Double("KlBeta", kl.Beta),
                    EnumOption("KlEstimator", "global::Rft.KlEstimator", kl.Estimator),
                }));
            }

            if (loss.EntropyBonus is { } entropy)
                sections.Add(new("[EntropyBonus]", new[] { Double("EntropyCoefficient", entropy.Coefficient) }));

            if (loss.ValueHead is { } valueHead)
            {
                sections.Add(new("[ValueHead]", new[]
                {
                    Double("ValueCoefficient", valueHead.Coefficient),
                    Double("ValueClipRange", valueHead.ClipRange),
                    Double("ValueLearningRate", valueHead.LearningRate),
                }));
            }

            if (loss.SftTerm is { } sft)
            {
                var properties = new List<OptionProperty> { Double("SftTermWeight", sft.Weight) };
                if (sft.Schedule != "Constant")
                {
                    properties.Add(Double("SftTermEndWeight", sft.EndWeight));
                    if (sft.IsChord) properties.Add(Int("SftTermWarmupSteps", sft.WarmupSteps));
                    properties.Add(Int("SftTermDecaySteps", sft.DecaySteps));
                }

                properties.Add(new OptionProperty("SftTermTokenWeight", "bool", Literals.Bool(sft.TokenWeight), new string[0]));
                if (sft.IsChord)
                {
                    // mu mixes (1 - mu) RL + mu SFT: above 1 the RL term would change sign.
                    var weight = properties[0];
                    properties[0] = weight with
                    {
                        Validation = weight.Validation.Concat(new[]
                        {
                            "if (SftTermWeight > 1 || SftTermEndWeight > 1)",
                            "    errors.Add($\"Rft:SftTermWeight = {SftTermWeight} and Rft:SftTermEndWeight = {SftTermEndWeight} are CHORD's mu, which mixes (1 - mu) RL + mu SFT: both must be at most 1.\");",
                        }).ToList(),
                    };
                }

                sections.Add(new("[SftTerm(Schedule = " + sft.Schedule + ")]", properties));
            }

            return sections;
        }

        /// <summary>The <c>&lt;Term&gt;Weight</c> option of each [LossTerm], or null when there is none.</summary>
        private static OptionSection? LossTermWeights(PipelineSpec pipeline) =>
            pipeline.Loss.Terms.Count == 0
                ? null
                : new OptionSection("[LossTerm] weights", pipeline.Loss.Terms.Select(term => Weight(term.Method + "Weight", term.Weight)).ToList());

        private static string EnumLiteral(string type, string member) =>
            member.Length > 0 && (char.IsDigit(member[0]) || member[0] == '-') ? "(" + type + ")(" + member + ")" : type + "." + member;

        // ---- Trainer fields, setup and disposal ------------------------------------------------------------

        private static void WriteLossFields(SourceWriter writer, TrainerModel t)
        {
            var loss = t.Pipeline.Loss;
            writer.WriteLine("""
                private global::Rft.Training.MiniBatchSchedule _schedule = null!; // each epoch's row order, mini-batches and micro-batches
                private global::Rft.Training.UpdateMetrics _metrics = null!;
                private int[] _rowTokens = null!;                                 // each rollout row's tokens in the loss
                """);
            if (t.Plan.NeedsGroupIndex) writer.WriteLine("private int[] _groups = null!; // the prompt of each row, the estimator's group key");
            if (loss.ValueHead is not null)
            {
                writer.WriteLine("""
                    private global::Rft.Models.ValueHead _valueHead = null!; // [ValueHead]
                    private global::Rft.Training.PolicyOptimizer _valueOptimizer = null!;
                    """);
            }

            if (loss.SftTerm is not null) writer.WriteLine("private global::Rft.Training.SupervisedBatch _demonstrations = null!; // [SftTerm]: the step's records' demonstrations");
            if (loss.Terms.Count > 0) writer.WriteLine("private global::Rft.StepView _stepView = null!; // what the [LossTerm] methods read");
        }

        /// <summary>Setup's loss buffers, allocated once; <c>seeds</c> is a Setup local.</summary>
        private static void WriteLossSetup(SourceWriter writer, TrainerModel t)
        {
            var loss = t.Pipeline.Loss;
            writer.WriteLine($$"""

                // The update's order of rows (its shuffle seeded), metrics and normalisers, allocated once.
                _schedule = new global::Rft.Training.MiniBatchSchedule({{t.Plan.OffPolicy.MaxUpdateRows}}, _device, seeds.Derive("mini-batches"));
                _metrics = new global::Rft.Training.UpdateMetrics(_device);
                _rowTokens = new int[rows];
                """);
            if (t.Plan.NeedsGroupIndex)
            {
                writer.WriteLine("""
                    _groups = new int[rows];
                    for (int i = 0; i < rows; i++) _groups[i] = i / _options.GroupSize;
                    """);
            }

            if (loss.ValueHead is not null)
            {
                writer.WriteLine("""
                    // The value head on the policy's last hidden state, with its own AdamW on the policy's schedule.
                    _valueHead = global::Rft.Models.ValueHead.Create(_policy.Config.HiddenSize, seeds.Derive("value-head"), _device);
                    _valueOptimizer = new global::Rft.Training.PolicyOptimizer(_valueHead, new global::Rft.Training.OptimizerSettings(
                        _options.ValueLearningRate, _options.WeightDecay, _options.MaxGradNorm, _options.WarmupSteps, _options.Steps, _options.MinLearningRateRatio));
                    """);
            }

            if (loss.SftTerm is not null)
                writer.WriteLine("_demonstrations = new global::Rft.Training.SupervisedBatch(_options.PromptsPerStep, _options.MaxPromptTokens + _options.MaxNewTokens + 1, _device);");
            if (loss.Terms.Count > 0) writer.WriteLine("_stepView = new global::Rft.StepView();");
        }

        private static void WriteLossDispose(SourceWriter writer, TrainerModel t)
        {
            var loss = t.Pipeline.Loss;
            writer.WriteLine("""
                _schedule?.Dispose();
                _metrics?.Dispose();
                """);
            if (loss.ValueHead is not null)
            {
                writer.WriteLine("""
                    _valueOptimizer?.Dispose();
                    _valueHead?.Dispose();
                    """);
            }

            if (loss.SftTerm is not null) writer.WriteLine("_demonstrations?.Dispose();");
        }
    }
}
