using System.Linq;
using Rft.Generators.Emit;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    internal static partial class Emitter
    {
        private const string Training = "global::Rft.Training";
        private const string Forward = "global::Rft.Training.Forward.PolicyForward";

        /// <summary>
        /// Steps 4-7 of the loop as the method <c>Update</c>: the per-rollout quantities (old log-probs, reference, rewards,
        /// advantages), then PpoEpochs x MiniBatches optimizer steps, each over micro-batches, then the step's metrics.
        /// What each step computes was decided by the <see cref="UpdatePlan"/>; this only prints it.
        /// </summary>
        private static void WriteUpdate(SourceWriter writer, TrainerModel t)
        {
            var plan = t.Plan;
            writer.WriteLine($$"""
                private void Update(global::Rft.Rollout.RolloutBatch rollout, int step, {{Training}}.StepReport report)
                {
                    _timer.Restart(); // the update's phases are timed from here
                    using var scope = global::TorchSharp.torch.NewDisposeScope();
                    int rows = rollout.Rows;
                    var sequences = {{Training}}.Forward.SequenceRows.Of(rollout);
                    var scores = _scores.Scores(_device);                                              // [N]
                    var mask = rollout.CompletionMask * _scores.ValidMask(_device).unsqueeze(1);       // [N, T]
                    _scores.ValidTokens(rollout, _rowTokens);                                          // host: each row's tokens in the loss
                    var aggregation = {{Algorithms}}.LossAggregationModes.Of(_options.Aggregation);

                """);
            writer.Indentation++;
            WriteOldPass(writer, plan);
            WriteAdvantages(writer, plan);
            WriteAdvantageCopy(writer, t.Pipeline);
            WriteOffPolicyRollout(writer, t);      // RftGenerator.Emitter.OffPolicy.cs: rollout log, replay mix, DPO pairs
            WriteUpdateLoops(writer, t);
            WriteUpdateMetrics(writer, t);
            WriteOffPolicyMetrics(writer, t);
            writer.CloseBlock();
            writer.WriteLine();
            WriteMicroBatchLoss(writer, t);
            if (plan.SftTerm is not null)
            {
                writer.WriteLine();
                WriteSftTermPass(writer, t);
            }

            WriteDpoPass(writer, t);
        }

        /// <summary>Step 4: what the update compares against, computed once per rollout without gradients.</summary>
        private static void WriteOldPass(SourceWriter writer, UpdatePlan plan)
        {
            if (plan.IsRaft)
            {
                WriteRaftOldPass(writer, plan);
            }
            else if (plan.HasValues)
            {
                writer.WriteLine($$"""
                    // {{plan.OldPassLabel}} Once per rollout, without gradients, MicroBatchSize rows per forward: the policy's log-probs and the value
                    //    head's values before any update. They stay fixed through every epoch below, so the ratio and the value clip
                    //    measure how far the updates have moved (OldLogProbs = Behaviour takes the sampler's log-probs instead).
                    var (recomputed, oldValues) = {{Forward}}.LogProbsAndValuesWithoutGrad(_policy, _valueHead, sequences, _options.Temperature, _options.MicroBatchSize);
                    var oldLogProbs = _options.OldLogProbs == global::Rft.OldLogProbSource.Behaviour ? rollout.LogProbs : recomputed;  // [N, T]
                    """);
            }
            else
            {
                // On-policy the pass may be skipped (UpdatePlan.OldFromForward): null, and each micro-batch takes its own forward's.
                string recompute = $"{Forward}.LogProbsWithoutGrad(_policy, sequences, _options.Temperature, _options.MicroBatchSize);  // [N, T]";
                writer.WriteLine($$"""
                    // {{plan.OldPassLabel}} The old log-probs, once per rollout: the policy's before any update (without gradients, MicroBatchSize rows
                    //    per forward), or with OldLogProbs = Behaviour the sampler's. They stay fixed through every epoch below, so
                    //    the ratio measures how far the updates have moved and the clip acts from the second update on.
                    """);
                writer.WriteLine(plan.OldFromForward
                    ? $$"""
                      //    With one epoch of one mini-batch the update starts from the weights this pass would run: it is skipped
                      //    (null) and each micro-batch takes its own forward's log-probs, detached (TRL and verl do the same).
                      var oldLogProbs = _options.OldLogProbs == global::Rft.OldLogProbSource.Behaviour
                          ? rollout.LogProbs
                          : _options.PpoEpochs == 1 && _options.MiniBatches == 1
                              ? null
                              : {{recompute}}
                      """
                    : $$"""
                      var oldLogProbs = _options.OldLogProbs == global::Rft.OldLogProbSource.Behaviour
                          ? rollout.LogProbs
                          : {{recompute}}
                      """);
            }

            writer.WriteLine("_timer.Lap(report, global::Rft.Training.StepPhase.OldLogProbs);");

            if (plan.HasReference)
            {
                writer.WriteLine();
                writer.WriteLine(plan.KlInReward || plan.KlInLoss
                    ? $"// {plan.ReferenceLabel} The frozen reference's log-probs of the sampled tokens, the same way."
                    : $"// {plan.ReferenceLabel} The frozen reference's log-probs (a loss term reads them), the same way.");
                writer.WriteLine("var refLogProbs = _reference!.LogProbs(sequences, _options.Temperature, _options.MicroBatchSize);  // [N, T]");
                writer.WriteLine("_timer.Lap(report, global::Rft.Training.StepPhase.Reference);");
            }

            if (plan.GrpoOnScores) return;
            writer.WriteLine();
            if (plan.KlInReward)
            {
                writer.WriteLine($$"""
                    // {{plan.TokenRewardsLabel}} KL in the reward (verl apply_kl_penalty): the score sits on each completion's last token, and
                    //     every token's reward is lowered by KlBeta times the KL of the old policy to the reference.
                    var rewardKl = {{Algorithms}}.KlEstimators.Estimate(oldLogProbs, refLogProbs, _options.KlEstimator) * mask;  // [N, T]
                    var tokenRewards = {{Algorithms}}.TokenRewards.AtLastToken(scores, mask) - _options.KlBeta * rewardKl;    // [N, T]
                    """);
            }
            else
            {
                writer.WriteLine($$"""
                    // {{plan.TokenRewardsLabel}} Token-level rewards: each completion's score on its last token.
                    var tokenRewards = {{Algorithms}}.TokenRewards.AtLastToken(scores, mask);                                  // [N, T]
                    """);
            }
        }

        /// <summary>Step 5: the declared estimator's advantages over the whole rollout.</summary>
        private static void WriteAdvantages(SourceWriter writer, UpdatePlan plan)
        {
            var advantage = plan.Advantage;
            string label = plan.AdvantagesLabel;
            if (plan.IsRaft)
            {
                WriteRaftSelection(writer, plan);
                return;
            }

            writer.WriteLine();
            switch (advantage.Kind)
            {
                case AdvantageEstimatorKind.Grpo when plan.GrpoOnScores:
                    writer.WriteLine($$"""
                        // {{label}} {{(advantage.ScaleByStd ? "GRPO advantages: each score minus its group's mean, over the group's std (+ Epsilon)." : "Dr.GRPO advantages: each score minus its group's mean (ScaleByStd = false: no std).")}}
                        var advantages = {{Algorithms}}.GroupAdvantages.Grpo(scores, _options.GroupSize, _options.Epsilon, _options.ScaleByStd).unsqueeze(1) * mask; // [N, T]
                        """);
                    break;
                case AdvantageEstimatorKind.Grpo:
                    writer.WriteLine($$"""
                        // {{label}} {{(advantage.ScaleByStd ? "GRPO" : "Dr.GRPO")}} advantages of the rows' summed token rewards within each prompt's group.
                        var advantages = {{Algorithms}}.AdvantageEstimators.Grpo(tokenRewards, mask, _groups, _options.Epsilon, _options.ScaleByStd).Advantages; // [N, T]
                        """);
                    break;
                case AdvantageEstimatorKind.Rloo:
                    writer.WriteLine($$"""
                        // {{label}} RLOO advantages: each row's summed reward minus the mean of the other rows of its group.
                        var advantages = {{Algorithms}}.AdvantageEstimators.Rloo(tokenRewards, mask, _groups).Advantages; // [N, T]
                        """);
                    break;
                case AdvantageEstimatorKind.ReinforcePlusPlus when advantage.GroupBaseline:
                    writer.WriteLine($$"""
                        // {{label}} REINFORCE++ with a group baseline: summed reward minus the group's mean, whitened over the batch.
                        var advantages = {{Algorithms}}.AdvantageEstimators.ReinforcePlusPlusBaseline(tokenRewards, mask, _groups).Advantages; // [N, T]
                        """);
                    break;
                case AdvantageEstimatorKind.ReinforcePlusPlus:
                    writer.WriteLine($$"""
                        // {{label}} REINFORCE++ advantages: the discounted return (Gamma) of each token, whitened over the batch.
                        var advantages = {{Algorithms}}.AdvantageEstimators.ReinforcePlusPlus(tokenRewards, mask, _options.Gamma).Advantages; // [N, T]
                        """);
                    break;
                case AdvantageEstimatorKind.Gae:
                    writer.WriteLine($$"""
                        // {{label}} GAE (Gamma, Lambda) over the old values; the returns are the value head's targets.
                        var (advantages, returns) = {{Algorithms}}.AdvantageEstimators.Gae(tokenRewards, oldValues, mask, _options.Gamma, _options.Lambda); // [N, T]
                        """);
                    break;
            }
        }

        /// <summary>Step 6: the epochs, mini-batches and micro-batches.</summary>
        private static void WriteUpdateLoops(SourceWriter writer, TrainerModel t)
        {
            var plan = t.Plan;
            var extras = new System.Collections.Generic.List<string>();
            if (plan.HasReference) extras.Add("RefLogProbs = refLogProbs");
            if (plan.HasValues)
            {
                extras.Add("OldValues = oldValues");
                extras.Add("Returns = returns");
            }

            if (plan.ScoresInBatch) extras.Add("Scores = scores");
            string batch = $"new {Training}.UpdateBatch(sequences, mask, advantages, oldLogProbs)" + (extras.Count == 0 ? ";" : " { " + string.Join(", ", extras) + " };");
            string batchLine = plan.OffPolicy.Replays ? string.Empty : "var batch = " + batch + "\n"; // with replay, WriteReplayMix built it
            string sft = plan.IsChord
                ? $"""

                  // CHORD: mu rises from 0 to SftTermWeight over SftTermWarmupSteps, then decays on a cosine to SftTermEndWeight;
                  // every update mixes (1 - mu) RL + mu SFT.
                  double mu = {Training}.SftMixSchedule.Weight(global::Rft.SftSchedule.Chord, step, _options.SftTermWeight, _options.SftTermEndWeight,
                      _options.SftTermWarmupSteps, {SftDecay(plan.SftTerm!)});
                  double rlWeight = 1 - mu;
                  """
                : plan.SftTerm is { Schedule: "Constant" } ? """

                  double sftWeight = _options.SftTermWeight;
                  """
                : plan.SftTerm is { } term ? $"""

                  double sftWeight = {Training}.SftMixSchedule.Weight({EnumLiteral("global::Rft.SftSchedule", term.Schedule)}, step, _options.SftTermWeight, _options.SftTermEndWeight,
                      0, {SftDecay(term)});
                  """
                : string.Empty;
            if (plan.SftTerm is { } demonstrationTerm)
            {
                writer.WriteLine($$"""

                    // The step's records' demonstrations, for the SFT term.
                    _demonstrations.Clear();
                    for (int p = 0; p < rows / _options.GroupSize; p++)
                        _demonstrations.Add({{t.Static(t.Pipeline.Prompt)}}(_records[p]), {{t.Static(demonstrationTerm.Demonstration)}}(_records[p]), _tokenizer);
                    """);
            }

            writer.WriteLine($$"""

                {{batchLine}}int miniBatches = global::System.Math.Min({{plan.OffPolicy.MiniBatches}}, {{plan.UpdateRows}});{{sft}}

                // 6. PpoEpochs passes over the rollout, each in a new seeded order split into MiniBatches mini-batches: one
                //    optimizer step per mini-batch, its gradient accumulated over micro-batches of MicroBatchSize rows whose
                //    losses are normalised by the whole mini-batch, so they add up to the mini-batch's gradient.
                _metrics.Reset();
                for (int epoch = 0; epoch < _options.PpoEpochs; epoch++)
                {
                    _schedule.Shuffle({{plan.UpdateRows}});
                    for (int m = 0; m < miniBatches; m++)
                    {
                        var (start, count) = _schedule.MiniBatch(m, miniBatches);
                        var counts = _schedule.Normalisers(start, count, {{plan.OffPolicy.RowTokens}});
                        if (counts.Tokens == 0) continue; // every sample of this mini-batch was masked: no signal
                        var scale = counts.Scale(_options.MaxNewTokens); // seq-mean-token-sum-norm divides by MaxNewTokens (Dr.GRPO)
                        _optimizer!.ZeroGrad();
                """);
            writer.Indentation += 2;
            if (plan.HasValues) writer.WriteLine("_valueOptimizer.ZeroGrad();");
            if (plan.OffPolicy.SkipsPolicyGradientOnDpoSteps) writer.WriteLine("if (rlWeight > 0) // a DPO step trains DPO alone");
            writer.WriteLine($$"""
                for (int micro = 0; micro < {{Training}}.MiniBatchSchedule.MicroBatchCount(count, _options.MicroBatchSize); micro++)
                {
                    using var microScope = global::TorchSharp.torch.NewDisposeScope();
                    var (first, size) = {{Training}}.MiniBatchSchedule.MicroBatch(start, count, _options.MicroBatchSize, micro);
                    var loss = MicroBatchLoss(batch.Select(_schedule.Index(first, size)), scale, aggregation{{MicroBatchLossExtraArguments(plan)}});
                    loss.backward();
                    _optimizer.AccumulateGradients();
                }
                """);
            if (plan.SftTerm is not null)
            {
                writer.WriteLine();
                writer.WriteLine(plan.IsChord
                    ? "SftTermPass(m, miniBatches, mu); // this mini-batch's share of the step's demonstrations"
                    : "SftTermPass(m, miniBatches, sftWeight); // this mini-batch's share of the step's demonstrations");
            }

            WriteDpoPassCall(writer, plan);

            writer.WriteLine();
            writer.WriteLine("_metrics.EndOptimizerStep(_optimizer.Step(step)); // clip the gradient norm, AdamW on the warm-up + cosine schedule");
            if (plan.HasValues) writer.WriteLine("_valueOptimizer.Step(step);");
            writer.Indentation -= 2;
            writer.WriteLine("""
                    }
                }
                """);
        }

        /// <summary>The micro-batch loss's arguments after the aggregation: CHORD's RL weight, the user terms' row share.</summary>
        private static string MicroBatchLossExtraArguments(UpdatePlan plan) =>
            (plan.RlWeighted ? ", rlWeight" : string.Empty) + (plan.Terms.Count > 0 ? ", (double)size / count" : string.Empty);

        /// <summary>With replay, the truncated importance weights (verl's TIS; null unless ReplayCorrection = TruncatedWeights).</summary>
        private static string ImportanceWeightsArgument(UpdatePlan plan) => plan.OffPolicy.Replays ? ", rolloutIsWeights: micro.ImportanceWeights" : string.Empty;

        private static string RlWeighted(UpdatePlan plan, string term) => plan.RlWeighted ? "rlWeight * " + term : term;

        private static string SftDecay(SftTermSpec sft) =>
            "_options.SftTermDecaySteps > 0 ? _options.SftTermDecaySteps : _options.Steps" + (sft.IsChord ? " - _options.SftTermWarmupSteps" : string.Empty);

        /// <summary>Step 7: the metrics of the update and of the rollout.</summary>
        private static void WriteUpdateMetrics(SourceWriter writer, TrainerModel t)
        {
            writer.WriteLine("""

                // 7. Metrics: the update's, read from the device once; the rollout's, from the host.
                _metrics.WriteTo(report);
                report.LearningRate = _optimizer!.LearningRate;
                """);
            if (t.Plan.KlInReward)
                writer.WriteLine($"report.Kl = {Algorithms}.Masked.Mean(rewardKl, mask, axis: -1).mean().item<float>(); // verl's current_kl");
            for (int i = 0; i < t.Rewards.Count; i++)
                writer.WriteLine($"report.RewardMeans[{i}] = {Training}.Stats.MeanIgnoringNaN({t.Rewards[i].Field}, rows);");
            writer.WriteLine($$"""
                report.Accuracy = _scores.Accuracy;
                report.MaskedSamples = _scores.Masked;
                report.ZeroVarianceGroupShare = _scores.ZeroVarianceGroupShare(_options.GroupSize);
                report.MeanCompletionLength = {{Training}}.Stats.MeanCompletionTokens(rollout);
                _timer.Lap(report, global::Rft.Training.StepPhase.Update);
                """);
            writer.WriteLine(t.Plan.OffPolicy.Replays
                ? "report.UpdateTokens = mix.Sequences.AttentionMask.sum().item<long>() * _options.PpoEpochs; // every epoch's forwards cover the fresh and replayed rows' real tokens"
                : "report.UpdateTokens = rollout.SequenceTokens * _options.PpoEpochs; // every epoch's forwards cover the rollout's real tokens again");
        }

        /// <summary>Step 6a: the loss of one micro-batch, every term of this pipeline and nothing else.</summary>
        private static void WriteMicroBatchLoss(SourceWriter writer, TrainerModel t)
        {
            var plan = t.Plan;
            string parameters = (plan.RlWeighted ? ", double rlWeight" : string.Empty) + (plan.Terms.Count > 0 ? ", double rowShare" : string.Empty);
            writer.WriteLine("// 6a. The loss of one micro-batch: the policy's forward over its rows, then each declared term, aggregated with the");
            writer.WriteLine("//     counts of the whole mini-batch (scale), so the micro-batches' gradients add up to the mini-batch's.");
            if (plan.IsChord) writer.WriteLine("//     rlWeight is CHORD's 1 - mu on the policy-gradient term.");
            if (plan.OffPolicy.Dpo is not null) writer.WriteLine("//     rlWeight is the policy-gradient term's share of the step beside online DPO.");
            if (plan.Terms.Count > 0) writer.WriteLine("//     rowShare, the micro-batch's share of the mini-batch's rows, weights the user terms.");
            writer.WriteLine($$"""
                private global::TorchSharp.torch.Tensor MicroBatchLoss({{Training}}.UpdateBatch micro, {{Algorithms}}.LossAggregationScale scale,
                    {{Algorithms}}.LossAggregationMode aggregation{{parameters}})
                {
                    _metrics.BeginMicroBatch(micro.Mask);

                """);
            writer.Indentation++;
            if (plan.HasValues)
            {
                writer.WriteLine($$"""
                    // The policy's log-probs{{(plan.HasEntropy ? ", entropies" : string.Empty)}} and the value head's values, from one pass of the trunk.
                    var (logProbs, {{(plan.HasEntropy ? "entropy" : "_")}}, values) = {{Forward}}.LogProbsAndValues(_policy, _valueHead, micro.Rows, _options.Temperature, withEntropy: {{Literals.Bool(plan.HasEntropy)}});
                    """);
            }
            else
            {
                writer.WriteLine(plan.HasEntropy
                    ? $$"""
                      // The policy's log-probs of the sampled tokens and the entropy of each position, in chunks of the vocabulary projection.
                      var (logProbs, entropy) = {{Forward}}.LogProbs(_policy, micro.Rows, _options.Temperature, withEntropy: true);
                      """
                    : $$"""
                      // The policy's log-probs of the sampled tokens, in chunks of the vocabulary projection.
                      var (logProbs, _) = {{Forward}}.LogProbs(_policy, micro.Rows, _options.Temperature, withEntropy: false);
                      """);
            }

            if (plan.OldFromForward)
            {
                writer.WriteLine("// The old log-probs: the rollout's (step 4), or on-policy this forward's own, detached (the ratio is 1, its gradient the log-probs').");
                writer.WriteLine("var oldLogProbs = micro.OldLogProbs ?? logProbs.detach();  // [rows, T]");
            }
            else
            {
                writer.WriteLine("var oldLogProbs = micro.OldLogProbs!;  // [rows, T], from step 4");
            }

            writer.WriteLine();
            switch (plan.PolicyLoss.Kind)
            {
                case PolicyLossKind.Gspo:
                    writer.WriteLine($$"""
                        // Policy loss: GSPO, one ratio per sequence (the geometric mean of its token ratios against the old log-probs),
                        // clipped to [1 - ClipLow, 1 + ClipHigh], seq-mean-token-mean as in verl.
                        var policyLoss = {{Algorithms}}.PolicyLossFunctions.Gspo(oldLogProbs, logProbs, micro.Advantages, micro.Mask,
                            clipRatioLow: _options.ClipLow, clipRatioHigh: _options.ClipHigh{{ImportanceWeightsArgument(plan)}}, scale: scale);
                        var loss = {{RlWeighted(plan, "policyLoss.PgLoss")}};
                        """);
                    break;
                case PolicyLossKind.Raft:
                    WriteRaftLoss(writer, plan);
                    break;
                case PolicyLossKind.Topr:
                    writer.WriteLine($$"""
                        // Policy loss: TOPR, REINFORCE on the advantages with the importance ratio truncated to [0, 1] for samples whose
                        // advantage is at most ToprThreshold.
                        var policyLoss = {{Algorithms}}.Topr.Loss(oldLogProbs, logProbs, micro.Advantages, micro.Mask, _options.ToprThreshold, aggregation, scale);
                        var loss = {{RlWeighted(plan, "policyLoss.Loss")}};
                        """);
                    break;
                default:
                    writer.WriteLine($$"""
                        // Policy loss: the clipped surrogate (verl's vanilla PPO loss), token ratios against the old log-probs clipped to
                        // [1 - ClipLow, 1 + ClipHigh], dual clip at ClipRatioC for negative advantages.
                        var policyLoss = {{Algorithms}}.PolicyLossFunctions.Vanilla(oldLogProbs, logProbs, micro.Advantages, micro.Mask,
                            clipRatioLow: _options.ClipLow, clipRatioHigh: _options.ClipHigh, clipRatioC: _options.ClipRatioC, lossAggMode: aggregation{{ImportanceWeightsArgument(plan)}}, scale: scale);
                        var loss = {{RlWeighted(plan, "policyLoss.PgLoss")}};
                        """);
                    break;
            }

            writer.WriteLine(plan.Clips
                ? $$"""
                  _metrics.Add({{Training}}.UpdateMetric.ClipFractionHigh, policyLoss.PgClipfracHigh);
                  _metrics.Add({{Training}}.UpdateMetric.ClipFractionLow, policyLoss.PgClipfracLow);
                  _metrics.Add({{Training}}.UpdateMetric.ApproxKl, policyLoss.PpoKl);
                  """
                : $"_metrics.Add({Training}.UpdateMetric.ApproxKl, {Algorithms}.Masked.Mean(oldLogProbs - logProbs.detach(), micro.Mask));");

            if (plan.OffPolicy.KlConvex)
            {
                WriteKlConvexTerm(writer);
            }
            else if (plan.KlInLoss)
            {
                writer.WriteLine($$"""

                    // KL penalty: KlBeta times the per-token KL(policy || reference) estimate, aggregated.
                    var klTokens = {{Algorithms}}.KlEstimators.Estimate(logProbs, micro.RefLogProbs!, _options.KlEstimator);
                    loss = loss + _options.KlBeta * {{Algorithms}}.LossAggregation.Aggregate(klTokens, micro.Mask, aggregation, scale);
                    _metrics.Add({{Training}}.UpdateMetric.Kl, {{Algorithms}}.Masked.Mean(klTokens.detach(), micro.Mask));
                    """);
            }

            if (plan.HasEntropyBonus)
            {
                writer.WriteLine($$"""

                    // Entropy bonus: EntropyCoefficient times the aggregated token entropy, subtracted.
                    loss = loss - _options.EntropyCoefficient * {{Algorithms}}.LossAggregation.Aggregate(entropy!, micro.Mask, aggregation, scale);
                    _metrics.Add({{Training}}.UpdateMetric.Entropy, {{Algorithms}}.Masked.Mean(entropy!.detach(), micro.Mask));
                    """);
            }

            if (plan.HasValues)
            {
                writer.WriteLine($$"""

                    // Value loss: verl's clipped value loss (ValueClipRange around the old values) against the GAE returns, times ValueCoefficient.
                    var valueLoss = {{Algorithms}}.PolicyLossFunctions.ValueLoss(values, micro.OldValues!, micro.Returns!, micro.Mask, _options.ValueClipRange, aggregation, scale);
                    loss = loss + _options.ValueCoefficient * valueLoss.VfLoss;
                    """);
            }

            if (plan.Terms.Count > 0) WriteUserTerms(writer, t);

            writer.WriteLine("""

                _metrics.AddLoss(loss);
                return loss;
                """);
            writer.CloseBlock();
        }

        /// <summary>The [LossTerm]s of a micro-batch: the step view holds only what they read, of these rows.</summary>
        private static void WriteUserTerms(SourceWriter writer, TrainerModel t)
        {
            var plan = t.Plan;
            writer.WriteLine();
            writer.WriteLine("// User terms, each weighted, over this micro-batch's rows (weighted by rowShare: a term that is a mean over rows sums to the mini-batch's).");
            var assignments = new (StepQuantity Quantity, string Value)[]
            {
                (StepQuantity.LogProbs, "logProbs"),
                (StepQuantity.OldLogProbs, "oldLogProbs"),
                (StepQuantity.RefLogProbs, "micro.RefLogProbs!"),
                (StepQuantity.Entropy, "entropy!"),
                (StepQuantity.Advantages, "micro.Advantages"),
                (StepQuantity.Scores, "micro.Scores!"),
                (StepQuantity.Mask, "micro.Mask"),
                (StepQuantity.Values, "values"),
                (StepQuantity.Returns, "micro.Returns!"),
            };
            foreach (var (quantity, value) in assignments)
            {
                if ((plan.Reads & quantity) != 0) writer.WriteLine($"_stepView.{quantity} = {value};");
            }

            foreach (var term in plan.Terms)
                writer.WriteLine($"loss = loss + rowShare * _options.{term.Method}Weight * {Algorithms}.LossTerms.Scalar({t.Static(term.Method)}(_stepView), {Literals.String(term.Method)});");
            writer.WriteLine("_stepView.Clear();");
        }

        /// <summary>The [SftTerm]'s share of one mini-batch: cross-entropy on part of the step's demonstrations, micro-batched.</summary>
        private static void WriteSftTermPass(SourceWriter writer, TrainerModel t)
        {
            var sft = t.Plan.SftTerm!;
            writer.WriteLine($$"""
                // 6b. [SftTerm]: mini-batch m of miniBatches takes its share of the step's demonstrations ({{sft.Demonstration}}(record) after
                //     {{t.Pipeline.Prompt}}(record)) and adds weight x their cross-entropy{{(sft.TokenWeight ? " (each token weighted by p (1 - p) when SftTermTokenWeight, CHORD-phi)" : string.Empty)}},
                //     normalised by their target tokens, micro-batch by micro-batch.
                private void SftTermPass(int m, int miniBatches, double weight)
                {
                    var (start, count) = {{Training}}.MiniBatchSchedule.Split(_demonstrations.Rows, miniBatches, m);
                    if (count == 0 || weight == 0) return;
                    using var scope = global::TorchSharp.torch.NewDisposeScope();
                    var demonstrations = _demonstrations.All();
                    double tokens = _demonstrations.TargetTokens(start, count);
                    for (int micro = 0; micro < {{Training}}.MiniBatchSchedule.MicroBatchCount(count, _options.MicroBatchSize); micro++)
                    {
                        using var microScope = global::TorchSharp.torch.NewDisposeScope();
                        var (first, size) = {{Training}}.MiniBatchSchedule.MicroBatch(start, count, _options.MicroBatchSize, micro);
                        var loss = weight * {{Training}}.Forward.SupervisedForward.Loss(_policy, demonstrations.Narrow(first, size), _options.SftTermTokenWeight, tokens);
                        loss.backward();
                        _optimizer!.AccumulateGradients();
                        _metrics.AddLoss(loss);
                    }
                }
                """);
        }
    }
}
