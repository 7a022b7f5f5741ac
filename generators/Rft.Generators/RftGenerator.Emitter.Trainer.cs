using System.Collections.Generic;
using System.Linq;
using Rft.Generators.Emit;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    internal static partial class Emitter
    {
        /// <summary>
        /// The trainer: straight-line code for exactly this pipeline. Only what the declared loss terms
        /// read is built or computed: no reference policy without [KlPenalty], no entropy without
        /// [EntropyBonus], no warm-up without [Demonstration].
        /// </summary>
        private static string EmitTrainer(PipelineSpec pipeline)
        {
            var trainer = new TrainerModel(pipeline);
            var writer = new SourceWriter();
            WriteHeader(writer, pipeline);
            writer.WriteLine("partial class " + Identifiers.Escape(pipeline.Name));
            writer.OpenBlock();
            WriteTrainerSummary(writer, trainer);
            writer.WriteLine(GeneratedCodeAttribute);
            writer.WriteLine("public sealed class Trainer : global::Rft.Training.IPipelineTrainer");
            writer.OpenBlock();
            WriteFields(writer, trainer);
            writer.WriteLine();
            WriteConstructor(writer, trainer);
            writer.WriteLine();
            WriteSetup(writer, trainer);
            writer.WriteLine();
            WriteWarmUp(writer, trainer);
            writer.WriteLine();
            WriteTrainAsync(writer, trainer);
            writer.WriteLine();
            WriteScore(writer, trainer);
            writer.WriteLine();
            WriteUpdate(writer, trainer);
            WriteSignalMethod(writer, pipeline);
            writer.WriteLine();
            WriteEvaluation(writer, trainer);
            writer.WriteLine();
            WriteEvaluationSamplesAndHeldOut(writer, trainer); // RftGenerator.Emitter.Evaluation.cs
            writer.WriteLine();
            WriteCheckpointAndDispose(writer, trainer);
            WriteLoraMethod(writer, pipeline);
            WritePromptRenderer(writer, trainer); // RftGenerator.Emitter.Chat.cs
            WriteRunFacts(writer, pipeline);
            writer.CloseBlock();
            writer.CloseBlock();
            return writer.ToString();
        }

        private static void WriteTrainerSummary(SourceWriter writer, TrainerModel t)
        {
            var p = t.Pipeline;
            var rewardList = p.Rewards.Select(RewardLabel).ToList();
            string rewards = (rewardList.Count == 1 ? "the reward " : "the rewards ") + Conjunction(rewardList);
            writer.WriteLine("/// <summary>");
            writer.WriteLine($"/// The training loop compiled from <see cref=\"{p.FullName}\"/>:");
            WriteLossSummary(writer, t, rewards); // RftGenerator.Emitter.Loss.cs
            WriteOffPolicySummary(writer, t);     // RftGenerator.Emitter.OffPolicy.cs
            writer.WriteLine("/// </summary>");
        }

        private static void WriteFields(SourceWriter writer, TrainerModel t)
        {
            var p = t.Pipeline;
            string record = p.RecordType;
            WriteOffPolicyMetricNames(writer, t);
            writer.WriteLine($$"""
                private static readonly string[] RewardNames = { {{string.Join(", ", p.Rewards.Select(r => Literals.String(r.Method)))}} };

                // Validation and evaluation decode this many prompts at a time.
                private const int EvaluationChunk = 128;

                private readonly {{p.OptionsFullName}} _options;
                """);
            if (p.HasInstanceRewards) writer.WriteLine($"private readonly {p.FullName} _pipeline;");
            writer.WriteLine($$"""

                // Built once in Setup() and reused by every step.
                private global::TorchSharp.torch.Device _device = null!;       // Rft:Device: the policy, its buffers and every step tensor
                private global::Rft.Text.ITokenizer _tokenizer = null!;
                private global::Rft.Models.LlamaForCausalLM _policy = null!;
                private global::Rft.Rollout.Sampler _sampler = null!;
                private global::Rft.Rollout.PromptBatch _prompts = null!;
                private global::Rft.Rollout.CompletionTexts _completions = null!;
                private global::Rft.Data.Mixture<{{record}}> _mixture = null!;
                private global::Rft.Training.PolicyOptimizer? _optimizer;
                """);
            if (p.Loss.NeedsReferencePolicy)
                writer.WriteLine("private global::Rft.Training.FrozenReference? _reference; // [KlPenalty]: the policy as RL starts");
            WriteJsonlFields(writer, p);
            if (p.Policy.Lora is not null) writer.WriteLine("private int _loraSeed;");
            WriteCurriculumFields(writer, p);
            WriteDynamicSamplingFields(writer, p);
            WritePromptFields(writer);
            writer.WriteLine("private readonly global::System.Collections.Generic.List<global::System.Collections.Generic.KeyValuePair<string, double>> _facts = new();");
            WriteLossFields(writer, t);
            WriteOffPolicyFields(writer, t);
            writer.WriteLine($$"""
                private global::TorchSharp.torch.Generator _sampling = null!;
                private {{record}}[] _records = null!;
                """);
            if (p.Warmup is not null) writer.WriteLine($"private {record}[] _validation = null!;");
            writer.WriteLine($$"""
                private {{record}}[] _heldOut = null!;
                private global::Rft.Training.ScoreBuffer _scores = null!;
                """);
            foreach (var reward in t.Rewards) writer.WriteLine($"private float[] {reward.Field} = null!;");
            if (p.Warmup is not null) writer.WriteLine("private global::Rft.Training.StepReport _sftReport = null!;");
            writer.WriteLine("private global::Rft.Training.StepReport _rlReport = null!;");
            writer.WriteLine("private global::Rft.Training.PhaseTimer _timer = null!; // times the RL step's phases");
            if (p.Warmup is not null)
            {
                writer.WriteLine("""
                    private int _sftSteps;
                    private bool _warmUpFinished;                                    // by its target accuracy or its step budget
                    private global::Rft.Training.PolicyOptimizer? _sftOptimizer;    // the warm-up's AdamW, a field so checkpoints save it
                    """);
            }
            writer.WriteLine("private int _rlSteps;");
        }

        private static void WriteConstructor(SourceWriter writer, TrainerModel t)
        {
            var p = t.Pipeline;
            if (p.HasInstanceRewards)
            {
                writer.WriteLine($$"""
                    /// <param name="pipeline">The pipeline instance whose instance rewards score completions (resolved from DI).</param>
                    public Trainer(global::Microsoft.Extensions.Options.IOptions<{{p.OptionsFullName}}> options, {{p.FullName}} pipeline)
                    {
                        _options = options.Value;
                        _pipeline = pipeline;
                    }
                    """);
            }
            else
            {
                writer.WriteLine($$"""
                    public Trainer(global::Microsoft.Extensions.Options.IOptions<{{p.OptionsFullName}}> options)
                    {
                        _options = options.Value;
                    }
                    """);
            }

            writer.WriteLine();
            writer.WriteLine($$"""
                /// <inheritdoc />
                public string PipelineName => {{Literals.String(p.Name)}};

                /// <inheritdoc />
                public bool HasWarmUp => {{(p.Warmup is null ? "false" : "_options.SftMaxSteps > 0")}};
                """);
            WriteUseRunDirectory(writer);
        }

        private static void WriteSetup(SourceWriter writer, TrainerModel t)
        {
            var p = t.Pipeline;
            writer.WriteLine("""
                /// <inheritdoc />
                public void Setup()
                """);
            writer.OpenBlock();
            writer.WriteLine("""
                global::Rft.RftRuntime.EnsureNativeLibrary();
                // Stops here, before any work, when Rft:Device names a device this process cannot use.
                _device = global::Rft.Training.DeviceSettings.Resolve(_options.Device);
                var seeds = new global::Rft.Training.SeedSequence(_options.Seed);
                global::TorchSharp.torch.manual_seed(seeds.Derive("torch"));

                """);

            // Records.
            string heldOut = p.Evaluation.Method is { } evalSource
                ? $"global::Rft.Data.Records.Take({t.Static(evalSource)}(new global::System.Random(seeds.Derive(\"heldout\"))), _options.EvalCount, {Literals.String("[EvalSource] " + evalSource)});"
                : p.Evaluation.Jsonl is not null
                    ? $"global::System.Linq.Enumerable.ToArray(global::System.Linq.Enumerable.Take({FileField(null)}.Rows, _options.EvalCount));"
                    : "CreateMixture(seeds.Derive(\"heldout\")).Take(_options.EvalCount);";
            string heldOutSet = p.Evaluation.Method is null && p.Evaluation.Jsonl is null
                ? "the evaluation set (no [EvalSource] is declared: drawn from the sources)"
                : p.Evaluation.Jsonl is not null ? "the held-out evaluation set (the first EvalCount rows of Rft:EvalPath)" : "the held-out evaluation set";
            WriteWrapped(writer, "// ", p.Warmup is null
                ? $"Records: the training mixture and {heldOutSet}, each from its own seeded stream."
                : $"Records: the training mixture, validation records for the warm-up's stopping rule and {heldOutSet}, each from its own seeded stream.");
            WriteJsonlSetup(writer, p);
            writer.WriteLine("_mixture = CreateMixture(seeds.Derive(\"mixture\"));");
            if (p.Warmup is not null) writer.WriteLine("_validation = CreateMixture(seeds.Derive(\"validation\")).Take(_options.SftValidationSize);");
            writer.WriteLine("_heldOut = " + heldOut);
            writer.WriteLine();

            bool dynamic = p.Data.DynamicSamplingRounds is not null;
            // Tokenizer and policy.
            WritePolicySetup(writer, p, "TokenizerCorpus(CreateMixture(seeds.Derive(\"tokenizer\")).Take(2048), _heldOut)");
            writer.WriteLine($$"""
                // Rollout buffers, allocated once: KV cache, prompt tokens, decoded text, scores.
                int rows = _options.PromptsPerStep * _options.GroupSize;
                int samplerRows = global::System.Math.Max(rows, EvaluationChunk);
                _sampler = new global::Rft.Rollout.Sampler(_policy, _tokenizer, samplerRows, _options.MaxPromptTokens, _options.MaxNewTokens, _options.DecodeRows);
                _prompts = new global::Rft.Rollout.PromptBatch(samplerRows, _options.MaxPromptTokens);
                _completions = new global::Rft.Rollout.CompletionTexts(samplerRows, _options.MaxNewTokens, _tokenizer);
                _sampling = new global::TorchSharp.torch.Generator((ulong)seeds.Derive("sampling"), _device); // beside the probabilities it draws from
                _records = new {{p.RecordType}}[{{(dynamic ? "2 * _options.PromptsPerStep" : "_options.PromptsPerStep")}}];
                _scores = new global::Rft.Training.ScoreBuffer({{(dynamic ? "2 * rows" : "rows")}});
                """);
            foreach (var reward in t.Rewards) writer.WriteLine($"{reward.Field} = new float[{(dynamic ? "2 * rows" : "rows")}];");
            WriteDynamicSamplingSetup(writer, p);
            WritePromptSetup(writer);
            if (p.Warmup is not null)
                writer.WriteLine("_sftReport = new global::Rft.Training.StepReport(global::Rft.Training.TrainingPhase.Sft, global::System.Array.Empty<string>());");
            WriteCurriculumSetup(writer, p);
            WriteLossSetup(writer, t);
            WriteOffPolicySetup(writer, t);
            writer.CloseBlock();
            writer.WriteLine();

            // The mixture.
            writer.WriteLine($$"""
                private global::Rft.Data.Mixture<{{p.RecordType}}> CreateMixture(int seed) =>
                    new(seed, new global::Rft.Data.MixtureSource<{{p.RecordType}}>[]
                    {
                """);
            writer.Indentation += 2;
            foreach (var source in p.Sources) writer.WriteLine(MixtureEntry(t, source));
            writer.Indentation -= 2;
            writer.WriteLine("    });");
            writer.WriteLine();

            // The tokenizer's corpus.
            bool hasFiles = p.Sources.Any(s => s.Jsonl is not null);
            bool instance = hasFiles || p.Data.PriorPrompt is not null || p.PromptKind != PromptKind.Text;
            writer.WriteLine($"private {(instance ? "" : "static ")}global::System.Collections.Generic.IEnumerable<string> TokenizerCorpus({p.RecordType}[] records, {p.RecordType}[] heldOut)");
            writer.OpenBlock();
            if (p.Data.PriorPrompt is not null) writer.WriteLine("yield return _options.PriorPrompt;");
            if (hasFiles)
            {
                writer.WriteLine("// Every row of the files, so that no training prompt meets a character the tokenizer lacks.");
                string all = string.Join(", ", p.Sources.Where(s => s.Jsonl is not null).Select(s => FileField(s.Method) + ".Rows"));
                writer.WriteLine(p.Sources.Count(s => s.Jsonl is not null) == 1
                    ? $"records = global::System.Linq.Enumerable.ToArray(global::System.Linq.Enumerable.Concat(records, {all}));"
                    : $"records = global::System.Linq.Enumerable.ToArray(global::System.Linq.Enumerable.Concat(records, global::System.Linq.Enumerable.SelectMany(new global::System.Collections.Generic.IReadOnlyList<{p.RecordType}>[] {{ {all} }}, rows => rows)));");
            }

            if (p.Warmup is { } warmup)
            {
                writer.WriteLine($$"""
                    foreach (var record in records)
                    {
                        yield return {{t.Static(p.Prompt)}}(record);
                        yield return {{t.Static(warmup.Demonstration)}}(record);
                    }
                    """);
            }
            else
            {
                writer.WriteLine($"foreach (var record in records) yield return {t.Static(p.Prompt)}(record);");
            }

            writer.WriteLine($$"""

                // Held-out prompts too, so that evaluation never meets a character the tokenizer lacks.
                foreach (var record in heldOut) yield return {{t.Static(p.Prompt)}}(record);
                """);
            writer.CloseBlock();
        }

        private static void WriteWarmUp(SourceWriter writer, TrainerModel t)
        {
            var p = t.Pipeline;
            if (p.Warmup is not { } warmup)
            {
                writer.WriteLine("""
                    /// <inheritdoc />
                    /// <remarks>No [Demonstration] is declared: there is no supervised warm-up.</remarks>
                    public global::System.Collections.Generic.IEnumerable<global::Rft.Training.StepReport> WarmUp(global::System.Threading.CancellationToken cancellationToken) =>
                        global::System.Array.Empty<global::Rft.Training.StepReport>();
                    """);
                return;
            }

            string prompt = t.Static(p.Prompt);
            string demonstration = t.Static(warmup.Demonstration);
            writer.WriteLine($$"""
                /// <inheritdoc />
                public global::System.Collections.Generic.IEnumerable<global::Rft.Training.StepReport> WarmUp(global::System.Threading.CancellationToken cancellationToken)
                {
                    // Supervised warm-up: cross-entropy on {{warmup.Demonstration}}(record) after {{p.Prompt}}(record), until the
                    // validation accuracy reaches SftTargetAccuracy or SftMaxSteps have run. A resumed run goes on from the
                    // step after its checkpoint's, with the optimizer state LoadCheckpoint restored.
                    if (_warmUpFinished) yield break; // a resumed run whose checkpoint was taken after the warm-up
                    var optimizer = _sftOptimizer ??= new global::Rft.Training.PolicyOptimizer(_policy, new global::Rft.Training.OptimizerSettings(
                        _options.SftLearningRate, _options.WeightDecay, _options.MaxGradNorm, _options.SftWarmupSteps, _options.SftMaxSteps, _options.SftMinLearningRateRatio));
                    using var batch = new global::Rft.Training.SupervisedBatch(_options.SftBatchSize, _options.MaxPromptTokens + _options.MaxNewTokens + 1, _device);
                    var report = _sftReport;
                    report.TotalSteps = _options.SftMaxSteps;
                    for (int step = _sftSteps + 1; step <= _options.SftMaxSteps && !_warmUpFinished && !cancellationToken.IsCancellationRequested; step++)
                    {
                        long started = global::System.Diagnostics.Stopwatch.GetTimestamp();
                        batch.Clear();
                        for (int i = 0; i < _options.SftBatchSize; i++)
                        {
                            var record = _mixture.Next();
                            batch.Add({{RenderCall(t, "record", evaluation: false)}}, {{demonstration}}(record), _tokenizer);
                        }

                        using (var scope = global::TorchSharp.torch.NewDisposeScope())
                        {
                            // Micro-batches of MicroBatchSize rows, each normalised by the whole batch's target tokens, so
                            // their gradients add up to the batch's.
                            var rows = batch.All();
                            double tokens = batch.TargetTokens();
                            var loss = global::TorchSharp.torch.zeros(global::System.Array.Empty<long>(), device: _device);
                            optimizer.ZeroGrad();
                            for (int micro = 0; micro < global::Rft.Training.MiniBatchSchedule.MicroBatchCount(batch.Rows, _options.MicroBatchSize); micro++)
                            {
                                using var microScope = global::TorchSharp.torch.NewDisposeScope();
                                var (first, size) = global::Rft.Training.MiniBatchSchedule.MicroBatch(0, batch.Rows, _options.MicroBatchSize, micro);
                                var microLoss = global::Rft.Training.Forward.SupervisedForward.Loss(_policy, rows.Narrow(first, size), tokenCount: tokens);
                                microLoss.backward();
                                optimizer.AccumulateGradients();
                                loss.add_(microLoss.detach());
                            }

                            report.GradNorm = optimizer.Step(step);
                            report.Loss = loss.item<float>();
                        }

                        report.Step = step;
                        report.LearningRate = optimizer.LearningRate;
                        report.ValidationAccuracy = double.NaN;
                        _sftSteps = step;
                        if (step % _options.SftEvalEvery == 0 || step == _options.SftMaxSteps)
                        {
                            report.ValidationAccuracy = (double)CountCorrect(_validation) / _validation.Length;
                            _warmUpFinished = report.ValidationAccuracy >= _options.SftTargetAccuracy;
                        }

                        _warmUpFinished |= step == _options.SftMaxSteps;
                        global::Rft.Training.NativeGarbage.AfterStep(step); // native memory that TorchSharp frees in finalizers
                        report.Seconds = global::System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
                        yield return report;   // a checkpoint taken here saves the state after this step
                    }
                }
                """);
        }

        private static void WriteTrainAsync(SourceWriter writer, TrainerModel t)
        {
            var p = t.Pipeline;
            writer.WriteLine("""
                /// <inheritdoc />
                public async global::System.Collections.Generic.IAsyncEnumerable<global::Rft.Training.StepReport> TrainAsync(
                    [global::System.Runtime.CompilerServices.EnumeratorCancellation] global::System.Threading.CancellationToken cancellationToken)
                {
                """);
            writer.Indentation++;
            if (p.Loss.NeedsReferencePolicy)
            {
                if (p.Policy.Lora is null)
                {
                    writer.WriteLine("""
                        // The KL term's reference: a frozen copy of the policy as RL starts, after any warm-up.
                        _reference ??= global::Rft.Training.FrozenReference.Of(_policy, baseWeightsAreReference: false);
                        """);
                }
                else
                {
                    writer.WriteLine("""
                        // The KL term's reference: the policy as RL starts, after any warm-up. When RL trains adapters attached
                        // fresh (B = 0) to weights that then stay frozen, those base weights are the reference: no copy is made.
                        _reference ??= global::Rft.Training.FrozenReference.Of(_policy, baseWeightsAreReference: _options.LoraEnabled && !(HasWarmUp && _options.LoraWarmUp));
                        """);
                }
            }

            WriteLoraAtRlStart(writer, p);
            if (p.Warmup is not null)
            {
                writer.WriteLine("""
                    _sftOptimizer?.Dispose(); // the warm-up's AdamW state is no longer needed
                    _sftOptimizer = null;
                    """);
            }

            writer.WriteLine("""
                _optimizer ??= new global::Rft.Training.PolicyOptimizer(_policy, new global::Rft.Training.OptimizerSettings(
                    _options.LearningRate, _options.WeightDecay, _options.MaxGradNorm, _options.WarmupSteps, _options.Steps, _options.MinLearningRateRatio));

                """);

            writer.WriteLine($$"""
                var sampling = new global::Rft.Rollout.SamplingSettings(_options.MaxNewTokens, _options.Temperature, _options.TopP);
                _timer = new global::Rft.Training.PhaseTimer(_device);
                var report = _rlReport;
                report.TotalSteps = _options.Steps;
                for (int step = _rlSteps + 1; step <= _options.Steps && !cancellationToken.IsCancellationRequested; step++)
                {
                    long started = global::System.Diagnostics.Stopwatch.GetTimestamp();
                    report.Reset(); // nothing of the previous step may reach this step's line
                """);
            writer.Indentation++;
            WriteStepStart(writer, t);
            writer.WriteLine();
            if (p.OffPolicy.Offline is not null)
            {
                writer.Indentation--;
                WriteOfflineStep(writer);
            }
            else if (p.Data.DynamicSamplingRounds is not null)
            {
                WriteDynamicSamplingRounds(writer, t);
                writer.Indentation--;
                writer.WriteLine($$"""

                        // 4-7. Old log-probs, advantages, the optimizer steps and the metrics of the kept groups; a
                        //      step whose drawn groups were all flat has no signal and skips the update.
                        var rollout = _accumulator.Batch;
                        if (kept > 0)
                        {
                            Update(rollout, step, report);
                            RecordSignal(rollout.Rows, report);
                        }

                        report.ZeroVarianceGroupShare = 1.0 - (double)kept / drawn; // the share of drawn groups dropped
                        report.Extra[_sourceMetrics.MetricNames.Count] = drawn;
                        report.Extra[_sourceMetrics.MetricNames.Count + 1] = rounds;
                    """);
            }
            else
            {
                WriteDraw(writer, t);
                writer.Indentation--;
                writer.WriteLine($$"""

                        // 2. Roll out GroupSize completions of each prompt with the current policy
                        //    (no gradients, static KV cache); rows [p*G, (p+1)*G) belong to prompt p.
                        _timer.Restart();
                        var rollout = _sampler.Generate(_prompts, _options.GroupSize, sampling, _sampling);
                        _completions.Decode(rollout);
                        _timer.Lap(report, global::Rft.Training.StepPhase.Rollout);
                        report.RolloutTokens = rollout.GeneratedTokens;

                        // 3. Score every completion with each reward. A reward that throws, times out or returns NaN
                        //    masks its sample out of the loss and is counted; the run goes on, unless more than
                        //    MaxTimedOutShare of the calls timed out (the reward's service is down).
                        {{(p.HasAsyncRewards ? "await ScoreAsync(rollout.Rows);" : "Score(rollout.Rows);")}}
                        report.TimedOutRewards = _scores.TimedOut;
                        _scores.ThrowOnTooManyTimeouts(rollout.Rows, _options.MaxTimedOutShare);
                        _timer.Lap(report, global::Rft.Training.StepPhase.Score);

                        // 4-7. Old log-probs, advantages, PpoEpochs x MiniBatches optimizer steps, metrics.
                        Update(rollout, step, report);
                        RecordSignal(rollout.Rows, report);
                    """);
            }

            writer.WriteLine($$"""

                    report.Step = step;
                    _rlSteps = step;
                    // Held-out accuracy every EvalEvery steps; the last step is left to the host's final evaluation.
                    report.ValidationAccuracy = _options.EvalEvery > 0 && step % _options.EvalEvery == 0 && step < _options.Steps
                        ? (double)CountCorrect(_heldOut) / _heldOut.Length
                        : double.NaN;
                    global::Rft.Training.NativeGarbage.AfterStep(step); // native memory that TorchSharp frees in finalizers
                    report.Seconds = global::System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
                    yield return report;
                }
                """);
            if (!p.HasAsyncRewards)
            {
                // Every reward is synchronous: nothing else awaits in this async iterator.
                writer.WriteLine();
                writer.WriteLine("await global::System.Threading.Tasks.Task.CompletedTask;");
            }

            writer.CloseBlock();
        }

        private static void WriteScore(SourceWriter writer, TrainerModel t)
        {
            var p = t.Pipeline;
            bool rounds = p.Data.DynamicSamplingRounds is not null;
            string parameters = rounds ? "int first, int rows" : "int rows";
            if (p.HasAsyncRewards)
                writer.WriteLine("// Awaits the asynchronous rewards one completion at a time; no tensor is alive across an await.");
            if (rounds)
                writer.WriteLine("// Scores a round's completions into rows [first, first + rows): the records of those rows start at first / GroupSize.");
            writer.WriteLine(p.HasAsyncRewards
                ? $"private async global::System.Threading.Tasks.ValueTask ScoreAsync({parameters})"
                : $"private void Score({parameters})");
            writer.OpenBlock();
            writer.WriteLine(rounds
                ? """
                  _scores.SetRowCount(first + rows);
                  for (int i = first; i < first + rows; i++)
                  """
                : """
                  _scores.Clear(rows);
                  for (int i = 0; i < rows; i++)
                  """);
            writer.OpenBlock();
            writer.WriteLine($$"""
                var record = _records[i / _options.GroupSize];
                var completion = _completions[{{(rounds ? "i - first" : "i")}}];

                """);
            writer.WriteLine("// Each reward is called directly, or with Rft:<Reward>TimeoutSeconds above 0 on a thread of its own with a time limit.");
            foreach (var reward in t.Rewards)
            {
                var (timed, direct) = t.GuardedCallParts(reward.Spec, "record", "completion");
                string wait = reward.Spec.Returns == RewardReturnKind.ValueTaskOfSingle ? "await " : string.Empty;
                string name = Literals.String(reward.Spec.Method);
                writer.WriteLine($$"""
                    float {{reward.Local}};
                    try
                    {
                        {{reward.Local}} = _options.{{reward.Spec.Method}}TimeoutSeconds > 0
                            ? {{wait}}{{timed}}
                            : {{wait}}{{direct}};
                    }
                    catch (global::Rft.Training.RewardTimeoutException exception) { {{reward.Local}} = float.NaN; _scores.RecordTimeout({{name}}, exception); }
                    catch (global::System.Exception exception) when (exception is not global::Rft.Training.RewardsStuckException)
                    {
                        {{reward.Local}} = float.NaN;
                        _scores.RecordFailure({{name}}, exception);
                    }

                    {{reward.Field}}[i] = {{reward.Local}};

                    """);
            }

            writer.WriteLine("// A reward of weight 0 is tracked, not rewarded: it adds nothing to the total, not even a failure's NaN.");
            writer.WriteLine($"_scores.Set(i, (float)({RewardTotal(t)}), {t.Accuracy.Local} >= 1f);");
            writer.CloseBlock();
            writer.CloseBlock();
        }

        // WriteUpdate, the step's advantages and loss terms: RftGenerator.Emitter.Loss.cs.

        private static void WriteEvaluation(SourceWriter writer, TrainerModel t)
        {
            var accuracy = t.Accuracy.Spec;
            string call = t.GuardedCall(accuracy, "records[evaluated[i]]", "_completions[i]");
            writer.WriteLine($$"""
                /// <inheritdoc />
                public global::System.Threading.Tasks.ValueTask<global::Rft.Training.EvaluationResult> EvaluateAsync(string name, global::System.Threading.CancellationToken cancellationToken)
                {
                    long started = global::System.Diagnostics.Stopwatch.GetTimestamp();
                    int correct = CountCorrect(_heldOut);
                    return new(new global::Rft.Training.EvaluationResult(name, _heldOut.Length, correct, global::System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds));
                }

                // Greedy decoding of each record's prompt; correct when {{accuracy.Method}} scores at least 1.
                private int CountCorrect({{t.Pipeline.RecordType}}[] records)
                {
                    var greedy = new global::Rft.Rollout.SamplingSettings(_options.MaxNewTokens, 0, 1);
                    global::System.Span<int> evaluated = stackalloc int[EvaluationChunk]; // the record of each rolled-out row
                    int correct = 0;
                    for (int start = 0; start < records.Length; start += EvaluationChunk)
                    {
                        int count = global::System.Math.Min(EvaluationChunk, records.Length - start);
                        _prompts.Clear();
                        {{EvaluationPrompts(t, indent: "        ")}}
                        var rollout = _sampler.Generate(_prompts, 1, greedy, _sampling);
                        _completions.Decode(rollout);
                        if (start == 0) RecordEvaluationSamples(records, evaluated, rows);
                        for (int i = 0; i < rows; i++)
                        {
                            try
                            {
                """);
            writer.Indentation += 4;
            if (accuracy.Returns == RewardReturnKind.ValueTaskOfSingle)
            {
                writer.WriteLine($$"""
                    // Counting is synchronous: a reward that has not completed is waited for.
                    var score = ({{call}});
                    if ((score.IsCompletedSuccessfully ? score.Result : score.AsTask().GetAwaiter().GetResult()) >= 1f) correct++;
                    """);
            }
            else
            {
                writer.WriteLine($"if (({call}) >= 1f) correct++;");
            }

            writer.Indentation -= 4;
            writer.WriteLine("""
                            }
                            catch (global::System.Exception)
                            {
                                // A reward that throws counts the record as not solved.
                            }
                        }
                    }

                    return correct;
                }
                """);
        }

        private static void WriteCheckpointAndDispose(SourceWriter writer, TrainerModel t)
        {
            var p = t.Pipeline;
            WriteSaveAndLoadCheckpoint(writer, t); // RftGenerator.Emitter.Checkpoint.cs
            writer.WriteLine($$"""

                /// <inheritdoc />
                public void Dispose()
                {
                    _optimizer?.Dispose();
                    _sampler?.Dispose();
                    _sampling?.Dispose();
                """);
            writer.Indentation++;
            if (p.Warmup is not null) writer.WriteLine("_sftOptimizer?.Dispose();");
            if (p.Loss.NeedsReferencePolicy) writer.WriteLine("_reference?.Dispose();");
            WriteLossDispose(writer, t);
            WriteOffPolicyDispose(writer, t);
            writer.WriteLine("""
                _policy?.Dispose();
                _scores?.Dispose();
                """);
            writer.CloseBlock();
        }

        /// <summary>The trainer's view of a pipeline: the names it gives each reward's buffer and local.</summary>
        private sealed class TrainerModel
        {
            // Fields and Score() locals the trainer declares itself; reward names must not shadow them.
            private static readonly string[] TrainerFields =
            {
                "_options", "_pipeline", "_tokenizer", "_policy", "_reference", "_sampler", "_prompts", "_completions", "_mixture",
                "_optimizer", "_sampling", "_records", "_validation", "_heldOut", "_scores", "_sftReport", "_rlReport", "_sftSteps", "_rlSteps", "_warmUpFinished", "_sftOptimizer",
                "_groups", "_valueHead", "_valueOptimizer", "_demonstrations", "_stepView", "_device", "_schedule", "_metrics", "_rowTokens",
                "_promptGuard", "_evaluationPromptGuard", "_timer", "_evaluationSamples",
                "_runDirectory", "_rolloutLog", "_rewardColumns", "_replay", "_raft", "_pairs", "_logged",
            };

            private static readonly string[] ScoreLocals = { "rows", "i", "record", "completion", "exception" };

            public TrainerModel(PipelineSpec pipeline)
            {
                Pipeline = pipeline;
                Plan = new UpdatePlan(pipeline);
                var fields = new HashSet<string>(TrainerFields);
                var locals = new HashSet<string>(ScoreLocals);
                Rewards = pipeline.Rewards
                    .Select(r => new RewardNames(
                        r,
                        Identifiers.Unique("_" + Identifiers.Camel(r.Method), "Scores", fields),
                        Identifiers.Unique(Identifiers.Camel(r.Method), "Score", locals)))
                    .ToList();
                Accuracy = Rewards.First(r => r.Spec.IsAccuracy);
            }

            public PipelineSpec Pipeline { get; }

            /// <summary>What the RL update computes (<see cref="UpdatePlan"/>).</summary>
            public UpdatePlan Plan { get; }

            public List<RewardNames> Rewards { get; }

            public RewardNames Accuracy { get; }

            /// <summary>A static method of the pipeline, fully qualified; a [Prompt] returning a conversation goes through <see cref="PromptRenderer"/>.</summary>
            public string Static(string method) =>
                method == Pipeline.Prompt && Pipeline.PromptKind != PromptKind.Text ? PromptRenderer : Pipeline.FullName + "." + Identifiers.Escape(method);

            /// <summary>A reward call with its parameters bound to <paramref name="record"/> and <paramref name="completion"/>.</summary>
            public string Call(RewardSpec reward, string record, string completion) =>
                Call(reward, record, completion, "global::System.Threading.CancellationToken.None", "_pipeline");

            /// <summary>
            /// The reward's call as an expression of type float (double rewards cast) or ValueTask&lt;float&gt;: directly, or,
            /// when Rft:&lt;Reward&gt;TimeoutSeconds is above 0, on a thread of its own with a time limit (RewardTimeouts).
            /// The timed call's state is a tuple and its lambda static, so the direct path allocates nothing.
            /// </summary>
            public string GuardedCall(RewardSpec reward, string record, string completion)
            {
                var (timed, direct) = GuardedCallParts(reward, record, completion);
                return $"_options.{reward.Method}TimeoutSeconds > 0 ? {timed} : {direct}";
            }

            /// <summary>The two branches of <see cref="GuardedCall"/>: the timed call and the direct one.</summary>
            public (string Timed, string Direct) GuardedCallParts(RewardSpec reward, string record, string completion)
            {
                string name = Literals.String(reward.Method);
                string direct = reward.Returns == RewardReturnKind.Double ? "(float)" + Call(reward, record, completion) : Call(reward, record, completion);
                string state = reward.IsStatic ? $"(Record: {record}, Completion: {completion})" : $"(Trainer: this, Record: {record}, Completion: {completion})";
                string inner = Call(reward, "s.Record", "s.Completion", "cancel", "s.Trainer._pipeline");
                if (reward.Returns == RewardReturnKind.Double) inner = "(float)" + inner;
                string run = reward.Returns == RewardReturnKind.ValueTaskOfSingle ? "RunAsync" : "Run";
                return ($"global::Rft.Training.RewardTimeouts.{run}(static (s, cancel) => {inner}, {state}, _options.{reward.Method}TimeoutSeconds, {name})", direct);
            }

            private string Call(RewardSpec reward, string record, string completion, string cancellation, string pipeline)
            {
                var arguments = reward.Arguments.Select(a => a.Kind switch
                {
                    RewardArgumentKind.Completion => completion,
                    RewardArgumentKind.Record => record,
                    RewardArgumentKind.CancellationToken => cancellation,
                    _ => record + "." + Identifiers.Escape(a.Member),
                });
                string target = reward.IsStatic ? Static(reward.Method) : pipeline + "." + Identifiers.Escape(reward.Method);
                return target + "(" + string.Join(", ", arguments) + ")";
            }
        }

        /// <param name="Field">The per-step buffer of this reward's raw values (<c>_correct</c>).</param>
        /// <param name="Local">The local holding one completion's value in Score (<c>correct</c>).</param>
        private sealed record RewardNames(RewardSpec Spec, string Field, string Local);
    }
}
