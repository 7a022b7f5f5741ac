using System.Collections.Generic;
using System.Linq;
using Rft.Generators.Emit;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    /// <summary>
    /// Replay, ReMix, RAFT, online DPO and logged rollouts in and out. What each changes was decided by the
    /// <see cref="OffPolicyPlan"/>; the methods here print it, each one member or one step of the loop.
    /// </summary>
    internal static partial class Emitter
    {
        private const string Rollouts = "global::Rft.Rollout";

        // ---- Summary and options --------------------------------------------------------------------------

        /// <summary>The trainer summary's lines on replay, ReMix, RAFT, online DPO and logged rollouts.</summary>
        private static void WriteOffPolicySummary(SourceWriter writer, TrainerModel t)
        {
            var o = t.Plan.OffPolicy;
            if (o.Offline is not null)
                WriteWrapped(writer, "/// ", "Nothing is sampled: each step trains on the next logged groups of Rft:OfflineRolloutsPath, with their logged rewards.");
            if (o.Replay is not null)
            {
                WriteWrapped(writer, "/// ", "[Replay]: each update trains on the step's fresh completions and on completions replayed from up to Rft:ReplayMaxStaleness steps back (Rft:ReplayOnPolicyShare of the rows fresh), corrected by Rft:ReplayCorrection.");
            }

            if (o.ReMix is not null)
            {
                WriteWrapped(writer, "/// ", "[ReMix]: Rft:UpdateToData optimizer steps per rollout, the KL-convex constraint (Rft:KlConvexWeight to the base model, the rest to the precedent policy), and at Rft:ReincarnationStep the reference becomes the current policy and training goes on on-policy.");
            }

            if (o.Raft is not null)
                WriteWrapped(writer, "/// ", "[Raft]: the policy loss is the supervised loss on the Rft:RaftTopK best completions of each group (scoring at least Rft:RaftThreshold when set).");
            if (o.Dpo is { } dpo)
            {
                WriteWrapped(writer, "/// ", dpo.Alternates
                    ? "[OnlineDpo]: every Rft:DpoEvery-th step trains the DPO loss (Rft:DpoBeta) on each group's best-versus-worst pair against the frozen reference, the other steps the policy gradient."
                    : "[OnlineDpo]: every step adds Rft:DpoWeight times the DPO loss (Rft:DpoBeta) on each group's best-versus-worst pair, against the frozen reference.");
            }
        }

        /// <summary>The off-policy options, after the loss's; <c>DumpRollouts</c> for every pipeline.</summary>
        private static List<OptionSection> OffPolicyOptionSections(PipelineSpec pipeline)
        {
            var o = pipeline.OffPolicy;
            var sections = new List<OptionSection>
            {
                new("Rollout logs", new[] { new OptionProperty("DumpRollouts", "bool", "false", new string[0]) }),
            };
            if (o.Replay is { } replay)
            {
                sections.Add(new("[Replay]", new[]
                {
                    Int("ReplayCapacity", replay.Capacity),
                    Int("ReplayMaxStaleness", replay.MaxStaleness),
                    Double("ReplayOnPolicyShare", replay.OnPolicyShare),
                    EnumOption("ReplayCorrection", "global::Rft.ImportanceCorrection", replay.Correction),
                    Double("ReplayTruncationCap", replay.TruncationCap),
                    new OptionProperty("ReplaySignalOnly", "bool", Literals.Bool(replay.SignalOnly), new[]
                    {
                        "if (ReplayCapacity < PromptsPerStep * GroupSize)",
                        "    errors.Add($\"Rft:ReplayCapacity = {ReplayCapacity} holds fewer rows than one step's {PromptsPerStep * GroupSize} completions (Rft:PromptsPerStep x Rft:GroupSize): use at least {PromptsPerStep * GroupSize}.\");",
                    }),
                }));
            }

            if (o.ReMix is { } remix)
            {
                sections.Add(new("[ReMix]", new[]
                {
                    Int("UpdateToData", remix.UpdateToData),
                    Double("KlConvexWeight", remix.KlConvexWeight),
                    Int("ReincarnationStep", remix.ReincarnationStep),
                }));
            }

            if (o.Raft is { } raft)
            {
                sections.Add(new("[Raft]", new[]
                {
                    new OptionProperty("RaftTopK", "int", Literals.Int(raft.TopK), new[]
                    {
                        Validation("RaftTopK", Options.OptionCatalog.RuleOf("RaftTopK")),
                        "if (RaftTopK > GroupSize)",
                        "    errors.Add($\"Rft:RaftTopK = {RaftTopK} is invalid: it must be at most Rft:GroupSize = {GroupSize}, the completions of a group.\");",
                    }),
                    new OptionProperty("RaftThreshold", "double", Literals.Double(raft.Threshold), new[]
                    {
                        "if (double.IsInfinity(RaftThreshold))",
                        "    errors.Add($\"Rft:RaftThreshold = {RaftThreshold} is invalid: it must be a finite reward, or NaN for no threshold.\");",
                    }),
                }));
            }

            if (o.Dpo is { } dpo)
            {
                sections.Add(new("[OnlineDpo(Mode = " + dpo.Mode + ")]", dpo.Alternates
                    ? new[] { Double("DpoBeta", dpo.Beta), Int("DpoEvery", dpo.Every) }
                    : new[] { Double("DpoBeta", dpo.Beta), Double("DpoWeight", dpo.Weight) }));
            }

            if (o.Offline is { } offline)
            {
                sections.Add(new("[OfflineRollouts]", new[]
                {
                    new OptionProperty("OfflineRolloutsPath", "string", Literals.String(offline.Path), new[] { $"{Checks}.FileExists(errors, \"Rft:OfflineRolloutsPath\", OfflineRolloutsPath);" }),
                    new OptionProperty("OfflineRolloutsRepeat", "bool", Literals.Bool(offline.Repeat), new string[0]),
                }));
            }

            return sections;
        }

        // ---- Fields, setup, checkpoint, disposal ------------------------------------------------------------

        private static void WriteOffPolicyFields(SourceWriter writer, TrainerModel t)
        {
            var o = t.Plan.OffPolicy;
            writer.WriteLine("""
                private string? _runDirectory;                                  // the host's run directory, where DumpRollouts writes
                private global::Rft.Rollout.RolloutLogWriter? _rolloutLog;      // --Rft:DumpRollouts
                private float[][] _rewardColumns = null!;                       // each reward's per-row values, in RewardNames order
                """);
            if (o.Replay is not null) writer.WriteLine("private global::Rft.Rollout.ReplayBuffer _replay = null!;     // [Replay]: past rollouts, allocated once");
            if (o.Raft is not null) writer.WriteLine("private global::Rft.Training.RaftSelection _raft = null!;      // [Raft]: the completions each step keeps");
            if (o.Dpo is not null) writer.WriteLine("private global::Rft.Training.PreferenceBatch _pairs = null!;   // [OnlineDpo]: each step's best-versus-worst pairs");
            if (o.Offline is not null) writer.WriteLine("private global::Rft.Rollout.LoggedRollouts _logged = null!;   // [OfflineRollouts]: the logged groups");
        }

        /// <summary>The names of the off-policy metrics, a static field (they sit before the prompt guard's in the report).</summary>
        private static void WriteOffPolicyMetricNames(SourceWriter writer, TrainerModel t)
        {
            var names = t.Plan.OffPolicy.Metrics.Select(m => Literals.String(m.Name)).ToList();
            writer.WriteLine(names.Count == 0
                ? "private static readonly string[] OffPolicyMetricNames = global::System.Array.Empty<string>(); // no off-policy metrics in this pipeline"
                : $"private static readonly string[] OffPolicyMetricNames = {{ {string.Join(", ", names)} }};");
        }

        /// <summary>Setup's off-policy buffers, after the loss's (<c>rows</c> and <c>seeds</c> are Setup locals).</summary>
        private static void WriteOffPolicySetup(SourceWriter writer, TrainerModel t)
        {
            var o = t.Plan.OffPolicy;
            writer.WriteLine($$"""

                // --Rft:DumpRollouts: every step's rollouts as JSON Lines in the run directory.
                _rewardColumns = new[] { {{string.Join(", ", t.Rewards.Select(r => r.Field))}} };
                if (_options.DumpRollouts)
                    _rolloutLog = new global::Rft.Rollout.RolloutLogWriter(global::System.IO.Path.Combine(_runDirectory ?? _options.RunDirectory, "rollouts.jsonl"), _tokenizer, RewardNames);
                """);
            if (o.Replay is not null)
            {
                writer.WriteLine("""
                    // [Replay]: storage for ReplayCapacity rows on the device, allocated once; its draws are seeded.
                    _replay = new global::Rft.Rollout.ReplayBuffer(_options.ReplayCapacity, rows, global::Rft.Rollout.ReplayBuffer.ReplayedRows(rows, _options.ReplayOnPolicyShare),
                        _options.MaxPromptTokens, _options.MaxNewTokens, _tokenizer.PadId, _device, seeds.Derive("replay"));
                    """);
            }

            if (o.Raft is not null) writer.WriteLine("_raft = new global::Rft.Training.RaftSelection(rows);");
            if (o.Dpo is not null) writer.WriteLine("_pairs = new global::Rft.Training.PreferenceBatch(_options.PromptsPerStep, _device);");
            if (o.Offline is not null)
            {
                writer.WriteLine("""
                    // [OfflineRollouts]: the logged groups, read and checked once; their token ids are the policy tokenizer's.
                    _logged = new global::Rft.Rollout.LoggedRollouts(_options.OfflineRolloutsPath, _tokenizer, RewardNames, _options.GroupSize, _options.PromptsPerStep,
                        _options.MaxPromptTokens, _options.MaxNewTokens, _device, requireBehaviour: _options.OldLogProbs == global::Rft.OldLogProbSource.Behaviour,
                        repeat: _options.OfflineRolloutsRepeat);
                    """);
            }
        }

        /// <summary>SaveCheckpoint's off-policy state: the replay storage and the position in the log (a reincarnated reference is saved as any copied one).</summary>
        private static void WriteOffPolicyCheckpoint(SourceWriter writer, TrainerModel t)
        {
            var o = t.Plan.OffPolicy;
            if (o.Replay is not null)
                writer.WriteLine("global::System.IO.File.WriteAllBytes(global::System.IO.Path.Combine(directory, \"replay.msgpack\"), _replay.SaveState());");
            if (o.Offline is not null)
                writer.WriteLine("global::System.IO.File.WriteAllBytes(global::System.IO.Path.Combine(directory, \"offline_rollouts.msgpack\"), _logged.SaveState());");
        }

        /// <summary>LoadCheckpoint's off-policy state, read back with a bound on the file's size.</summary>
        private static void WriteOffPolicyLoad(SourceWriter writer, TrainerModel t)
        {
            var o = t.Plan.OffPolicy;
            if (o.Replay is not null)
                writer.WriteLine("_replay.LoadState(global::Rft.Training.TrainerCheckpoint.ReadBounded(directory, \"replay.msgpack\"));");
            if (o.Offline is not null)
                writer.WriteLine("_logged.LoadState(global::Rft.Training.TrainerCheckpoint.ReadBounded(directory, \"offline_rollouts.msgpack\"));");
        }

        private static void WriteOffPolicyDispose(SourceWriter writer, TrainerModel t)
        {
            var o = t.Plan.OffPolicy;
            writer.WriteLine("_rolloutLog?.Dispose();");
            if (o.Replay is not null) writer.WriteLine("_replay?.Dispose();");
            if (o.Raft is not null) writer.WriteLine("_raft?.Dispose();");
            if (o.Dpo is not null) writer.WriteLine("_pairs?.Dispose();");
            if (o.Offline is not null) writer.WriteLine("_logged?.Dispose();");
        }

        /// <summary><see cref="Rft.Training.IPipelineTrainer"/>'s UseRunDirectory: where the rollout log goes.</summary>
        private static void WriteUseRunDirectory(SourceWriter writer)
        {
            writer.WriteLine("""

                /// <inheritdoc />
                public void UseRunDirectory(string directory) => _runDirectory = directory;
                """);
        }

        // ---- The step loop ------------------------------------------------------------------------------------

        /// <summary>The start of a step: ReMix's policy reincarnation.</summary>
        private static void WriteStepStart(SourceWriter writer, TrainerModel t)
        {
            if (t.Plan.OffPolicy.ReMix is null) return;
            writer.WriteLine("""

                // [ReMix] policy reincarnation: at ReincarnationStep the base model (the reference) becomes a copy of the current
                // policy and the rows the earlier policies sampled are dropped; from here on training is on-policy.
                if (step == _options.ReincarnationStep)
                {
                    _reference?.Dispose();
                    _reference = global::Rft.Training.FrozenReference.Of(_policy, baseWeightsAreReference: false);
                    _replay.Clear();
                }
                """);
        }

        /// <summary>Steps 1-3 of an [OfflineRollouts] pipeline: the logged groups instead of drawing, sampling and scoring.</summary>
        private static void WriteOfflineStep(SourceWriter writer)
        {
            writer.WriteLine("""
                    // 1-3. [OfflineRollouts]: the next PromptsPerStep logged groups of GroupSize completions, with their logged
                    //      rewards; nothing is sampled or scored.
                    var rollout = _logged.Next(_options.PromptsPerStep);
                    _completions.Decode(rollout);
                    _logged.Score(_scores, _rewardColumns);

                    // 4-7. Old log-probs, advantages, PpoEpochs x MiniBatches optimizer steps, metrics.
                    Update(rollout, step, report);
                """);
        }

        // ---- Inside Update ---------------------------------------------------------------------------------------

        /// <summary>RAFT's step 4: the sampler's log-probs stand in for the old ones (RAFT has no ratio; they feed the approx-KL metric).</summary>
        private static void WriteRaftOldPass(SourceWriter writer, UpdatePlan plan)
        {
            writer.WriteLine($$"""
                // {{plan.OldPassLabel}} RAFT has no importance ratio: no old pass. The sampler's log-probs stand in for the old ones, for the
                //    approximate KL between the sampling policy and the updated one.
                var oldLogProbs = rollout.LogProbs;                                                      // [N, T]
                """);
        }

        /// <summary>RAFT's step 5: the kept completions' tokens get advantage 1, the others leave the loss.</summary>
        private static void WriteRaftSelection(SourceWriter writer, UpdatePlan plan)
        {
            writer.WriteLine($$"""

                // {{plan.AdvantagesLabel}} RAFT: keep the RaftTopK best completions of each group by reward (only those scoring at least RaftThreshold
                //    when it is set). A kept completion's tokens get advantage 1 and the others leave the loss and its normalisers, so
                //    the policy loss below is the supervised loss on the kept completions.
                var kept = _raft.Select(_scores, rows, _options.GroupSize, _options.RaftTopK, _options.RaftThreshold, _rowTokens, _device);  // [N]
                mask = mask * kept.unsqueeze(1);
                var advantages = mask;                                                                   // [N, T]
                """);
        }

        /// <summary>
        /// Between the advantages and the update loops: the rollout log, then the replay mix (which defines the update's
        /// <c>batch</c>), or online DPO's pairs and the step's weights.
        /// </summary>
        private static void WriteOffPolicyRollout(SourceWriter writer, TrainerModel t)
        {
            var o = t.Plan.OffPolicy;
            writer.WriteLine("""

                // --Rft:DumpRollouts: the step's completions with their rewards and advantages, one JSON line each.
                _rolloutLog?.Write(step, rollout, _scores, _rewardColumns, advantages);
                """);
            if (o.Replay is not null) WriteReplayMix(writer, t);
            if (o.Dpo is { } dpo)
            {
                writer.WriteLine(dpo.Alternates
                    ? """

                      // [OnlineDpo]: each group's best completion by reward is preferred to its worst (a flat group gives no pair). Every
                      // DpoEvery-th step trains DPO on the pairs alone, the others the policy gradient alone (VerIPO's alternation).
                      _pairs.Select(_scores, rows, _options.GroupSize);
                      bool dpoStep = step % _options.DpoEvery == 0;
                      double rlWeight = dpoStep ? 0 : 1, dpoWeight = dpoStep ? 1 : 0;
                      """
                    : """

                      // [OnlineDpo]: each group's best completion by reward is preferred to its worst (a flat group gives no pair); every
                      // step adds DpoWeight times their DPO loss to the policy gradient.
                      _pairs.Select(_scores, rows, _options.GroupSize);
                      double rlWeight = 1, dpoWeight = _options.DpoWeight;
                      """);
            }
        }

        /// <summary>Step 5b: [Replay]'s storage and mix, and the update batch over the mixed rows.</summary>
        private static void WriteReplayMix(SourceWriter writer, TrainerModel t)
        {
            var o = t.Plan.OffPolicy;
            bool remix = o.ReMix is not null;
            writer.WriteLine($$"""

                // 5b. [Replay]: the fresh rows join the storage with their advantages, behaviour log-probs and policy version (this
                //     step); the update trains on them and on rows replayed from the last ReplayMaxStaleness steps, so that
                //     ReplayOnPolicyShare of its rows are fresh{{(remix ? " (from ReincarnationStep on: fresh rows only)" : string.Empty)}}.
                """);
            if (remix) writer.WriteLine("bool onPolicy = _options.ReincarnationStep > 0 && step >= _options.ReincarnationStep;");
            writer.WriteLine($$"""
                _replay.Add(rollout, mask, advantages, scores, _rowTokens, step, _options.ReplaySignalOnly);
                var mix = _replay.Mix(rollout, mask, advantages, scores, _rowTokens, step, {{(remix ? "onPolicy ? 1.0 : _options.ReplayOnPolicyShare" : "_options.ReplayOnPolicyShare")}}, _options.ReplayMaxStaleness);
                bool truncated = _options.ReplayCorrection == global::Rft.ImportanceCorrection.TruncatedWeights;
                """);
            if (remix)
            {
                writer.WriteLine($$"""

                    // The policy as this update starts, on every row: ReMix's precedent policy (the replayed rows take one pass
                    // without gradients). The ratio's old log-probs are a replayed row's behaviour log-probs, the policy that
                    // sampled it (the mix-policy ratio), or with ReplayCorrection = TruncatedWeights the precedent's, each token's
                    // loss then weighted by min(pi_old / pi_behaviour, ReplayTruncationCap) (verl's TIS).
                    var precedentLogProbs = mix.Join(oldLogProbs, mix.Replayed == 0 ? null
                        : {{Forward}}.LogProbsWithoutGrad(_policy, mix.ReplayedSequences, _options.Temperature, _options.MicroBatchSize));  // [rows, T]
                    var batchOldLogProbs = truncated ? precedentLogProbs : mix.Join(oldLogProbs, mix.Replayed == 0 ? null : mix.ReplayedBehaviour);
                    """);
            }
            else
            {
                writer.WriteLine($$"""

                    // The ratio's old log-probs: a replayed row's behaviour log-probs, the policy that sampled it (the mix-policy
                    // ratio), or with ReplayCorrection = TruncatedWeights the current policy's (one pass without gradients), each
                    // token's loss then weighted by min(pi_old / pi_behaviour, ReplayTruncationCap) (verl's TIS).
                    var batchOldLogProbs = mix.Join(oldLogProbs, mix.Replayed == 0 ? null : truncated
                        ? {{Forward}}.LogProbsWithoutGrad(_policy, mix.ReplayedSequences, _options.Temperature, _options.MicroBatchSize)
                        : mix.ReplayedBehaviour);                                                            // [rows, T]
                    """);
            }

            writer.WriteLine("var importanceWeights = truncated ? global::Rft.Algorithms.ImportanceWeights.Truncated(batchOldLogProbs, mix.Behaviour, mix.Mask, _options.ReplayTruncationCap) : null;");
            var extras = new List<string>();
            if (o.HasReference)
            {
                writer.WriteLine($$"""

                    // The reference's log-probs of the replayed rows, the same way.
                    var batchRefLogProbs = mix.Join(refLogProbs, mix.Replayed == 0 ? null
                        : _reference!.LogProbs(mix.ReplayedSequences, _options.Temperature, _options.MicroBatchSize));  // [rows, T]
                    """);
                extras.Add("RefLogProbs = batchRefLogProbs");
            }

            if (t.Plan.ScoresInBatch) extras.Add("Scores = mix.Scores");
            if (remix) extras.Add("PrecedentLogProbs = precedentLogProbs");
            extras.Add("ImportanceWeights = importanceWeights");
            writer.WriteLine($$"""

                var batch = new {{Training}}.UpdateBatch(mix.Sequences, mix.Mask, mix.Advantages, batchOldLogProbs) { {{string.Join(", ", extras)}} };
                """);
        }

        /// <summary>The online-DPO share of a mini-batch, after its policy-gradient micro-batches.</summary>
        private static void WriteDpoPassCall(SourceWriter writer, UpdatePlan plan)
        {
            if (plan.OffPolicy.Dpo is null) return;
            writer.WriteLine();
            writer.WriteLine("DpoPass(m, miniBatches, dpoWeight, sequences, mask, refLogProbs); // this mini-batch's share of the step's preference pairs");
        }

        /// <summary>RAFT's policy loss: the supervised loss on the kept tokens (advantage 1), aggregated.</summary>
        private static void WriteRaftLoss(SourceWriter writer, UpdatePlan plan)
        {
            writer.WriteLine($$"""
                // Policy loss: RAFT's supervised loss, minus the log-prob of each kept completion's tokens (their advantage is 1; the
                // other completions are outside the mask), aggregated like every token-level term.
                var policyLoss = {{Algorithms}}.LossAggregation.Aggregate(-logProbs * micro.Advantages, micro.Mask, aggregation, scale);
                var loss = {{RlWeighted(plan, "policyLoss")}};
                """);
        }

        /// <summary>ReMix's KL-convex term in the micro-batch loss.</summary>
        private static void WriteKlConvexTerm(SourceWriter writer)
        {
            writer.WriteLine($$"""

                // KL-convex penalty (ReMix): KlBeta times KlConvexWeight x KL(policy || reference) + (1 - KlConvexWeight) x
                // KL(policy || precedent), the precedent being the policy as this update started; aggregated.
                var klTokens = {{Algorithms}}.KlConvex.Estimate(logProbs, micro.RefLogProbs!, micro.PrecedentLogProbs!, _options.KlConvexWeight, _options.KlEstimator);
                loss = loss + _options.KlBeta * {{Algorithms}}.LossAggregation.Aggregate(klTokens, micro.Mask, aggregation, scale);
                _metrics.Add({{Training}}.UpdateMetric.Kl, {{Algorithms}}.Masked.Mean(klTokens.detach(), micro.Mask));
                """);
        }

        /// <summary>Step 7's off-policy metrics, into their slots of the report.</summary>
        private static void WriteOffPolicyMetrics(SourceWriter writer, TrainerModel t)
        {
            var o = t.Plan.OffPolicy;
            if (o.Metrics.Count == 0) return;
            writer.WriteLine();
            writer.WriteLine("// Off-policy metrics, in the report's slots before the prompt guard's.");
            if (o.Replays)
                writer.WriteLine($"var importance = {Training}.ImportanceSummary.Of(importanceWeights, batch.Mask, _options.ReplayTruncationCap);");
            if (o.ReMix is not null)
            {
                writer.WriteLine($$"""
                    // The whipping effect's companion: KL(precedent || base) over the update's tokens before any step (0 at reincarnation).
                    double klToBase = {{Algorithms}}.Masked.Mean({{Algorithms}}.KlEstimators.Estimate(precedentLogProbs, batchRefLogProbs, _options.KlEstimator), batch.Mask).item<float>();
                    """);
            }

            writer.WriteLine("var offPolicy = global::System.MemoryExtensions.AsSpan(report.Extra, report.Extra.Length - global::Rft.Rollout.PromptLengthGuard.MetricNames.Count - OffPolicyMetricNames.Length, OffPolicyMetricNames.Length);");
            for (int i = 0; i < o.Metrics.Count; i++) writer.WriteLine($"offPolicy[{i}] = {o.Metrics[i].Value}; // {o.Metrics[i].Name}");
        }

        /// <summary>The online-DPO pass of one mini-batch.</summary>
        private static void WriteDpoPass(SourceWriter writer, TrainerModel t)
        {
            if (t.Plan.OffPolicy.Dpo is null) return;
            writer.WriteLine($$"""

                // 6c. [OnlineDpo]: mini-batch m of miniBatches takes its share of the step's preference pairs and adds weight x their
                //     DPO loss (DpoBeta) against the frozen reference, with the pairs' sequence log-probs (summed over each completion's
                //     tokens), micro-batch by micro-batch; a micro-batch holds both completions of each of its pairs.
                private void DpoPass(int m, int miniBatches, double weight, {{Training}}.Forward.SequenceRows sequences, global::TorchSharp.torch.Tensor mask,
                    global::TorchSharp.torch.Tensor refLogProbs)
                {
                    var (start, count) = {{Training}}.MiniBatchSchedule.Split(_pairs.Count, miniBatches, m);
                    if (count == 0 || weight == 0) return;
                    using var scope = global::TorchSharp.torch.NewDisposeScope();
                    int pairsPerMicroBatch = _options.MicroBatchSize <= 0 ? count : global::System.Math.Max(1, _options.MicroBatchSize / 2);
                    for (int micro = 0; micro < {{Training}}.MiniBatchSchedule.MicroBatchCount(count, pairsPerMicroBatch); micro++)
                    {
                        using var microScope = global::TorchSharp.torch.NewDisposeScope();
                        var (first, size) = {{Training}}.MiniBatchSchedule.MicroBatch(start, count, pairsPerMicroBatch, micro);
                        var index = _pairs.Index(first, size);                                  // [2 size]: the chosen rows, then the rejected
                        var pairMask = mask.index_select(0, index);
                        var (logProbs, _) = {{Forward}}.LogProbs(_policy, sequences.Select(index), _options.Temperature, withEntropy: false);
                        var policy = {{Algorithms}}.Dpo.SequenceLogProbs(logProbs, pairMask);                                      // [2 size]
                        var reference = {{Algorithms}}.Dpo.SequenceLogProbs(refLogProbs.index_select(0, index), pairMask);
                        var dpo = {{Algorithms}}.Dpo.Loss(policy.narrow(0, 0, size), policy.narrow(0, size, size), reference.narrow(0, 0, size), reference.narrow(0, size, size),
                            _options.DpoBeta, pairCount: count);
                        var loss = weight * dpo.Loss;
                        loss.backward();
                        _optimizer!.AccumulateGradients();
                        _metrics.AddLoss(loss);
                        _pairs.Add(dpo, size);
                    }
                }
                """);
        }
    }
}
