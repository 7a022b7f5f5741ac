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
                new OptionProperty("Aggregation", "global::Rft.AggregationMode", EnumLiteral("global::Rft.AggregationMode", loss.Aggregation), new[]
                {
                    "if (!global::System.Enum.IsDefined(Aggregation))",
                    "    errors.Add($\"Rft:Aggregation = {Aggregation} is invalid: it must be one of {string.Join(\", \", global::System.Enum.GetNames<global::Rft.AggregationMode>())}.\");",
                }),
            }));

            if (loss.KlPenalty is { } kl)
            {
                sections.Add(new(kl.InReward ? "[KlPenalty] in the reward" : "[KlPenalty]", new[]
                {
                    Double("KlBeta", kl.Beta),
                    new OptionProperty("KlEstimator", "global::Rft.KlEstimator", KlEstimatorLiteral(kl.Estimator), new[]
                    {
                        "if (!global::System.Enum.IsDefined(KlEstimator))",
                        "    errors.Add($\"Rft:KlEstimator = {KlEstimator} is invalid: it must be one of {string.Join(\", \", global::System.Enum.GetNames<global::Rft.KlEstimator>())}.\");",
                    }),
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

        private static bool NeedsGroupIndex(LossSpec loss) =>
            loss.Advantage.Kind == AdvantageEstimatorKind.Rloo
            || (loss.Advantage.Kind == AdvantageEstimatorKind.ReinforcePlusPlus && loss.Advantage.GroupBaseline)
            || (loss.Advantage.Kind == AdvantageEstimatorKind.Grpo && loss.KlPenalty is { InReward: true });

        private static void WriteLossFields(SourceWriter writer, TrainerModel t)
        {
            var loss = t.Pipeline.Loss;
            writer.WriteLine("private global::Rft.Algorithms.LossAggregationScale _aggregationScale = null!;");
            if (NeedsGroupIndex(loss)) writer.WriteLine("private int[] _groups = null!; // the prompt of each row, the estimator's group key");
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
            writer.WriteLine("""

                // Loss buffers: seq-mean-token-sum-norm divides by MaxNewTokens whatever the rollout's length (Dr.GRPO).
                _aggregationScale = new global::Rft.Algorithms.LossAggregationScale(LossScaleFactor: _options.MaxNewTokens);
                """);
            if (NeedsGroupIndex(loss))
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
                    _valueHead = global::Rft.Models.ValueHead.Create(_policy.Config.HiddenSize, seeds.Derive("value-head"));
                    _valueOptimizer = new global::Rft.Training.PolicyOptimizer(_valueHead, new global::Rft.Training.OptimizerSettings(
                        _options.ValueLearningRate, _options.WeightDecay, _options.MaxGradNorm, _options.WarmupSteps, _options.Steps, _options.MinLearningRateRatio));
                    """);
            }

            if (loss.SftTerm is not null)
                writer.WriteLine("_demonstrations = new global::Rft.Training.SupervisedBatch(_options.PromptsPerStep, _options.MaxPromptTokens + _options.MaxNewTokens + 1);");
            if (loss.Terms.Count > 0) writer.WriteLine("_stepView = new global::Rft.StepView();");
        }

        /// <summary>SaveCheckpoint's extra lines (each starting with a new line), or empty.</summary>
        private static string LossCheckpoint(TrainerModel t) =>
            t.Pipeline.Loss.ValueHead is null
                ? string.Empty
                : "\n    _valueHead.save(global::System.IO.Path.Combine(directory, \"value_head.dat\")); // [ValueHead], beside the policy";

        private static void WriteLossDispose(SourceWriter writer, TrainerModel t)
        {
            var loss = t.Pipeline.Loss;
            if (loss.ValueHead is not null)
            {
                writer.WriteLine("""
                    _valueOptimizer?.Dispose();
                    _valueHead?.Dispose();
                    """);
            }

            if (loss.SftTerm is not null) writer.WriteLine("_demonstrations?.Dispose();");
        }

        // ---- The update ----------------------------------------------------------------------------------

        /// <summary>
        /// Steps 4-7 of the loop: advantages, the one policy forward, the loss terms of this pipeline and
        /// nothing else, backward and the optimizer step.
        /// </summary>
        private static void WriteUpdate(SourceWriter writer, TrainerModel t)
        {
            var p = t.Pipeline;
            var loss = p.Loss;
            var advantage = loss.Advantage;
            bool entropy = loss.NeedsEntropy;
            bool values = loss.NeedsValues;
            bool reference = loss.NeedsReferencePolicy;
            bool klInReward = loss.KlPenalty is { InReward: true };
            bool klInLoss = loss.KlPenalty is { InReward: false };
            var reads = loss.TermReads;

            writer.WriteLine("""
                private void Update(global::Rft.Rollout.RolloutBatch rollout, int step, global::Rft.Training.StepReport report)
                {
                    using var scope = global::TorchSharp.torch.NewDisposeScope();
                    var scores = _scores.Scores(rollout.Sequences.device);                                   // [N]
                    var mask = rollout.CompletionMask * _scores.ValidMask(rollout.Sequences.device).unsqueeze(1); // [N, T]
                    var aggregation = global::Rft.Algorithms.LossAggregationModes.Of(_options.Aggregation);
                """);
            writer.Indentation++;

            // 4. Rewards and advantages (GAE waits for the values of the forward pass).
            if (reference)
            {
                writer.WriteLine();
                writer.WriteLine(loss.KlPenalty is null
                    ? "// 4a. Reference log-probs (a loss term reads them), computed without recording a graph."
                    : "// 4a. The frozen reference's log-probs of the sampled tokens, computed without recording a graph.");
                writer.WriteLine("var refLogProbs = ReferenceLogProbs(rollout);                                            // [N, T]");
            }

            bool grpoOnScores = advantage.Kind == AdvantageEstimatorKind.Grpo && !klInReward;
            if (!grpoOnScores)
            {
                writer.WriteLine();
                if (klInReward)
                {
                    writer.WriteLine($$"""
                        // 4b. KL in the reward (verl apply_kl_penalty): the score sits on each completion's last token, and
                        //     every token's reward is lowered by KlBeta times the KL of the behaviour policy to the reference.
                        var rewardKl = {{Algorithms}}.KlEstimators.Estimate(rollout.LogProbs, refLogProbs, _options.KlEstimator) * mask; // [N, T]
                        var tokenRewards = {{Algorithms}}.TokenRewards.AtLastToken(scores, mask) - _options.KlBeta * rewardKl;   // [N, T]
                        """);
                }
                else
                {
                    writer.WriteLine($$"""
                        // {{(reference ? "4b." : "4a.")}} Token-level rewards: each completion's score on its last token.
                        var tokenRewards = {{Algorithms}}.TokenRewards.AtLastToken(scores, mask);                // [N, T]
                        """);
                }
            }

            // Advantages are step 4, after the reference log-probs and the token rewards when the step has them.
            int before = (reference ? 1 : 0) + (grpoOnScores ? 0 : 1);
            string step4 = before == 0 ? "4." : "4" + (char)('a' + before) + ".";
            writer.WriteLine();
            switch (advantage.Kind)
            {
                case AdvantageEstimatorKind.Grpo when grpoOnScores:
                    writer.WriteLine($$"""
                        // {{step4}} {{(advantage.ScaleByStd ? "GRPO advantages: each score minus its group's mean, over the group's std (+ Epsilon)." : "Dr.GRPO advantages: each score minus its group's mean (ScaleByStd = false: no std).")}}
                        var advantages = {{Algorithms}}.GroupAdvantages.Grpo(scores, _options.GroupSize, _options.Epsilon, _options.ScaleByStd).unsqueeze(1) * mask; // [N, T]
                        """);
                    break;
                case AdvantageEstimatorKind.Grpo:
                    writer.WriteLine($$"""
                        // {{step4}} {{(advantage.ScaleByStd ? "GRPO" : "Dr.GRPO")}} advantages of the rows' summed token rewards within each prompt's group.
                        var advantages = {{Algorithms}}.AdvantageEstimators.Grpo(tokenRewards, mask, _groups, _options.Epsilon, _options.ScaleByStd).Advantages; // [N, T]
                        """);
                    break;
                case AdvantageEstimatorKind.Rloo:
                    writer.WriteLine($$"""
                        // {{step4}} RLOO advantages: each row's summed reward minus the mean of the other rows of its group.
                        var advantages = {{Algorithms}}.AdvantageEstimators.Rloo(tokenRewards, mask, _groups).Advantages; // [N, T]
                        """);
                    break;
                case AdvantageEstimatorKind.ReinforcePlusPlus when advantage.GroupBaseline:
                    writer.WriteLine($$"""
                        // {{step4}} REINFORCE++ with a group baseline: summed reward minus the group's mean, whitened over the batch.
                        var advantages = {{Algorithms}}.AdvantageEstimators.ReinforcePlusPlusBaseline(tokenRewards, mask, _groups).Advantages; // [N, T]
                        """);
                    break;
                case AdvantageEstimatorKind.ReinforcePlusPlus:
                    writer.WriteLine($$"""
                        // {{step4}} REINFORCE++ advantages: the discounted return (Gamma) of each token, whitened over the batch.
                        var advantages = {{Algorithms}}.AdvantageEstimators.ReinforcePlusPlus(tokenRewards, mask, _options.Gamma).Advantages; // [N, T]
                        """);
                    break;
                case AdvantageEstimatorKind.Gae:
                    writer.WriteLine("// " + step4 + " GAE needs the values of the rollout's states: they come from the forward pass below.");
                    break;
            }

            // 5. The forward pass.
            writer.WriteLine();
            if (values)
            {
                writer.WriteLine($$"""
                    // 5. One forward pass of the policy: log-probabilities of the sampled tokens{{(entropy ? ", the entropy of each position" : "")}}
                    //    and the value head's value of each position, from the same hidden states.
                    var (logProbs, {{(entropy ? "entropy" : "_")}}, values) = {{Algorithms}}.PolicyForward.Compute(_policy, _valueHead, rollout, _options.Temperature, withEntropy: {{Literals.Bool(entropy)}});

                    // 5b. GAE (Gamma, Lambda) from the values before this update: one update per rollout, so the forward
                    //     above, detached, is the old value function and no second forward is needed.
                    var oldValues = values.detach();
                    var (advantages, returns) = {{Algorithms}}.AdvantageEstimators.Gae(tokenRewards, oldValues, mask, _options.Gamma, _options.Lambda); // [N, T]
                    """);
            }
            else
            {
                writer.WriteLine(entropy
                    ? $$"""
                      // 5. One forward pass of the policy: log-probabilities of the sampled tokens and the
                      //    entropy of each position, in chunks.
                      var (logProbs, entropy) = {{Algorithms}}.TokenLogProbs.Compute(_policy, rollout, _options.Temperature, withEntropy: true);
                      """
                    : $$"""
                      // 5. One forward pass of the policy: log-probabilities of the sampled tokens, in chunks.
                      var (logProbs, _) = {{Algorithms}}.TokenLogProbs.Compute(_policy, rollout, _options.Temperature, withEntropy: false);
                      """);
            }

            WriteAdvantageCopy(writer, t.Pipeline);

            // 6. The loss terms.
            writer.WriteLine();
            var policyLoss = loss.PolicyLoss;
            switch (policyLoss.Kind)
            {
                case PolicyLossKind.Gspo:
                    writer.WriteLine($$"""
                        // 6. Policy loss: GSPO, one ratio per sequence (the geometric mean of its token ratios against the
                        //    behaviour log-probs), clipped to [1 - ClipLow, 1 + ClipHigh], seq-mean-token-mean as in verl.
                        var policyLoss = {{Algorithms}}.PolicyLossFunctions.Gspo(rollout.LogProbs, logProbs, advantages, mask,
                            clipRatioLow: _options.ClipLow, clipRatioHigh: _options.ClipHigh, scale: _aggregationScale);
                        var loss = policyLoss.PgLoss;
                        """);
                    break;
                case PolicyLossKind.Topr:
                    writer.WriteLine($$"""
                        // 6. Policy loss: TOPR, REINFORCE on the advantages with the importance ratio truncated to [0, 1] for
                        //    samples whose advantage is at most ToprThreshold.
                        var policyLoss = {{Algorithms}}.Topr.Loss(rollout.LogProbs, logProbs, advantages, mask, _options.ToprThreshold, aggregation, _aggregationScale);
                        var loss = policyLoss.Loss;
                        """);
                    break;
                default:
                    writer.WriteLine($$"""
                        // 6. Policy loss: the clipped surrogate (verl's vanilla PPO loss), token ratios against the behaviour
                        //    log-probs clipped to [1 - ClipLow, 1 + ClipHigh], dual clip at ClipRatioC for negative advantages.
                        var policyLoss = {{Algorithms}}.PolicyLossFunctions.Vanilla(rollout.LogProbs, logProbs, advantages, mask,
                            clipRatioLow: _options.ClipLow, clipRatioHigh: _options.ClipHigh, clipRatioC: _options.ClipRatioC, lossAggMode: aggregation, scale: _aggregationScale);
                        var loss = policyLoss.PgLoss;
                        """);
                    break;
            }

            if (loss.SftTerm is { } sft)
            {
                string prompt = t.Static(p.Prompt), demonstration = t.Static(sft.Demonstration);
                string decay = "_options.SftTermDecaySteps > 0 ? _options.SftTermDecaySteps : _options.Steps"
                    + (sft.IsChord ? " - _options.SftTermWarmupSteps" : string.Empty);
                writer.WriteLine($$"""

                    // 6a. SFT on the step's own records: cross-entropy on {{sft.Demonstration}}(record) after {{p.Prompt}}(record){{(sft.TokenWeight ? "," : ".")}}
                    """);
                if (sft.TokenWeight) writer.WriteLine("//     each token weighted by p (1 - p) when SftTermTokenWeight (CHORD-phi).");
                writer.WriteLine($$"""
                    _demonstrations.Clear();
                    foreach (var record in _records) _demonstrations.Add({{prompt}}(record), {{demonstration}}(record), _tokenizer);
                    var sft = {{Algorithms}}.SupervisedTokenLoss.Loss(_policy, _demonstrations, _options.SftTermTokenWeight);
                    """);
                if (sft.IsChord)
                {
                    writer.WriteLine($$"""
                        // CHORD: mu rises from 0 to SftTermWeight over SftTermWarmupSteps, then decays on a cosine to
                        // SftTermEndWeight; the policy loss becomes (1 - mu) RL + mu SFT.
                        double mu = global::Rft.Training.SftMixSchedule.Weight(global::Rft.SftSchedule.Chord, step, _options.SftTermWeight, _options.SftTermEndWeight,
                            _options.SftTermWarmupSteps, {{decay}});
                        loss = (1 - mu) * loss + mu * sft;
                        """);
                }
                else if (sft.Schedule == "Constant")
                {
                    writer.WriteLine("loss = loss + _options.SftTermWeight * sft;");
                }
                else
                {
                    writer.WriteLine($$"""
                        double sftWeight = global::Rft.Training.SftMixSchedule.Weight({{EnumLiteral("global::Rft.SftSchedule", sft.Schedule)}}, step, _options.SftTermWeight, _options.SftTermEndWeight,
                            0, {{decay}});
                        loss = loss + sftWeight * sft;
                        """);
                }
            }

            if (klInLoss)
            {
                writer.WriteLine($$"""

                    // 6b. KL penalty: KlBeta times the per-token KL(policy || reference) estimate, aggregated.
                    var kl = {{Algorithms}}.LossAggregation.Aggregate({{Algorithms}}.KlEstimators.Estimate(logProbs, refLogProbs, _options.KlEstimator), mask, aggregation, _aggregationScale);
                    loss = loss + _options.KlBeta * kl;
                    """);
            }

            if (loss.EntropyBonus is not null)
            {
                writer.WriteLine($$"""

                    // 6c. Entropy bonus: EntropyCoefficient times the aggregated token entropy, subtracted.
                    var meanEntropy = {{Algorithms}}.LossAggregation.Aggregate(entropy!, mask, aggregation, _aggregationScale);
                    loss = loss - _options.EntropyCoefficient * meanEntropy;
                    """);
            }

            if (values)
            {
                writer.WriteLine($$"""

                    // 6d. Value loss: verl's clipped value loss (ValueClipRange) against the GAE returns, times ValueCoefficient.
                    var valueLoss = {{Algorithms}}.PolicyLossFunctions.ValueLoss(values, oldValues, returns, mask, _options.ValueClipRange, aggregation);
                    loss = loss + _options.ValueCoefficient * valueLoss.VfLoss;
                    """);
            }

            if (loss.Terms.Count > 0)
            {
                writer.WriteLine();
                writer.WriteLine("// 6e. User terms, each weighted; the step view holds only what they read.");
                var assignments = new (StepQuantity Quantity, string Value)[]
                {
                    (StepQuantity.LogProbs, "logProbs"),
                    (StepQuantity.OldLogProbs, "rollout.LogProbs"),
                    (StepQuantity.RefLogProbs, "refLogProbs"),
                    (StepQuantity.Entropy, "entropy!"),
                    (StepQuantity.Advantages, "advantages"),
                    (StepQuantity.Scores, "scores"),
                    (StepQuantity.Mask, "mask"),
                    (StepQuantity.Values, "values"),
                    (StepQuantity.Returns, "returns"),
                };
                foreach (var (quantity, value) in assignments)
                {
                    if ((reads & quantity) != 0) writer.WriteLine($"_stepView.{quantity} = {value};");
                }

                foreach (var term in loss.Terms)
                    writer.WriteLine($"loss = loss + _options.{term.Method}Weight * {Algorithms}.LossTerms.Scalar({t.Static(term.Method)}(_stepView), {Literals.String(term.Method)});");
                writer.WriteLine("_stepView.Clear();");
            }

            // 7. Backward and step.
            writer.WriteLine();
            if (values)
            {
                writer.WriteLine("""
                    // 7. Backward through the policy and the value head, clip each one's gradient norm, AdamW steps on the
                    //    warm-up + cosine schedule.
                    _optimizer!.ZeroGrad();
                    _valueOptimizer.ZeroGrad();
                    loss.backward();
                    report.GradNorm = _optimizer.Step(step);
                    _valueOptimizer.Step(step);
                    """);
            }
            else
            {
                writer.WriteLine("""
                    // 7. Backward, clip the gradient norm, AdamW step on the warm-up + cosine schedule.
                    _optimizer!.ZeroGrad();
                    loss.backward();
                    report.GradNorm = _optimizer.Step(step);
                    """);
            }

            writer.WriteLine("""

                // Metrics (each .item() waits for the computation).
                report.Loss = loss.item<float>();
                report.LearningRate = _optimizer.LearningRate;
                """);
            if (policyLoss.Kind != PolicyLossKind.Topr) writer.WriteLine("report.ClipFraction = policyLoss.PgClipfrac.item<float>();");
            if (klInLoss) writer.WriteLine("report.Kl = kl.item<float>();");
            if (klInReward)
                writer.WriteLine($"report.Kl = {Algorithms}.Masked.Mean(rewardKl, mask, axis: -1).mean().item<float>(); // verl's current_kl");
            if (loss.EntropyBonus is not null) writer.WriteLine("report.Entropy = meanEntropy.item<float>();");
            for (int i = 0; i < t.Rewards.Count; i++)
                writer.WriteLine($"report.RewardMeans[{i}] = global::Rft.Training.Stats.MeanIgnoringNaN({t.Rewards[i].Field}, rollout.Rows);");
            writer.WriteLine("""
                report.Accuracy = _scores.Accuracy;
                report.MaskedSamples = _scores.Masked;
                report.ZeroVarianceGroupShare = _scores.ZeroVarianceGroupShare(_options.GroupSize);
                report.MeanCompletionLength = global::Rft.Training.Stats.MeanCompletionTokens(rollout);
                """);
            writer.CloseBlock();

            if (reference)
            {
                writer.WriteLine();
                writer.WriteLine("""
                    // Log-probabilities of the sampled tokens under the frozen reference, in the caller's dispose scope.
                    private global::TorchSharp.torch.Tensor ReferenceLogProbs(global::Rft.Rollout.RolloutBatch rollout)
                    {
                        using var _ = global::TorchSharp.torch.no_grad();
                        return global::Rft.Algorithms.TokenLogProbs.Compute(_reference!, rollout, _options.Temperature, withEntropy: false).LogProbs;
                    }
                    """);
            }
        }
    }
}
