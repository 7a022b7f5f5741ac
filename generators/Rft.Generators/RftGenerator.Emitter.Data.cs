using System.Collections.Generic;
using System.Linq;
using Rft.Generators.Emit;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    internal static partial class Emitter
    {
        private const string JsonlNamespace = "global::Rft.Data";

        // ---- Options ----------------------------------------------------------------------------------

        /// <summary>Options of [Lora], [Curriculum], [PassRateFilter], [DynamicSampling] and [PriorPrompt], when declared.</summary>
        private static void DataOptionSections(PipelineSpec pipeline, List<OptionSection> sections)
        {
            if (pipeline.Policy.Lora is { } lora)
            {
                sections.Add(new("[Lora]", new[]
                {
                    new OptionProperty("LoraEnabled", "bool", Literals.Bool(lora.Enabled), new string[0]),
                    Int("LoraRank", lora.Rank),
                    Double("LoraAlpha", lora.Alpha),
                    new OptionProperty("LoraTargets", "string", Literals.String(lora.Targets), new[] { $"{Checks}.LoraTargets(errors, \"Rft:LoraTargets\", LoraTargets);" }),
                    Double("LoraDropout", lora.Dropout),
                    new OptionProperty("LoraWarmUp", "bool", Literals.Bool(lora.WarmUp), new string[0]),
                }));
            }

            if (pipeline.Data.Curriculum is { } curriculum)
            {
                var properties = curriculum.Kind switch
                {
                    "Staged" => new[] { Double("CurriculumThreshold", curriculum.Threshold), Int("CurriculumWindow", curriculum.Window) },
                    "SelfEvolving" => new[] { Double("CurriculumAlpha", curriculum.Alpha), Double("CurriculumTemperature", curriculum.Temperature) },
                    _ => new OptionProperty[0],
                };
                if (properties.Length > 0) sections.Add(new("[Curriculum(" + curriculum.Kind + ")]", properties));
            }

            if (pipeline.Data.Filter is { } filter)
            {
                sections.Add(new("[PassRateFilter]", new[]
                {
                    Int("FilterWindow", filter.Window),
                    Int("FilterMinAttempts", filter.MinAttempts),
                    Int("FilterMaxSkipsPerDraw", filter.MaxSkipsPerDraw),
                }));
            }

            if (pipeline.Data.DynamicSamplingRounds is { } rounds)
                sections.Add(new("[DynamicSampling]", new[] { Int("DynamicSamplingMaxExtraRounds", rounds) }));

            if (pipeline.Data.PriorPrompt is { } prior)
            {
                sections.Add(new("[PriorPrompt]", new[]
                {
                    new OptionProperty("PriorPrompt", "string", Literals.String(prior.Text), new string[0]),
                    new OptionProperty("PriorPromptAtEvaluation", "bool", Literals.Bool(prior.AtEvaluation), new string[0]),
                }));
            }
        }

        // ---- Trainer: JSON Lines files ----------------------------------------------------------------

        /// <summary>The field holding a [JsonlSource] file (or the [JsonlEvalSource] file for <c>null</c>).</summary>
        private static string FileField(string? source) => source is null ? "_evalFile" : "_" + Identifiers.Camel(source) + "File";

        private static void WriteJsonlFields(SourceWriter writer, PipelineSpec p)
        {
            foreach (var source in p.Sources.Where(s => s.Jsonl is not null))
                writer.WriteLine($"private {JsonlNamespace}.JsonlSource<{p.RecordType}> {FileField(source.Method)} = null!;");
            if (p.Evaluation.Jsonl is not null)
                writer.WriteLine($"private {JsonlNamespace}.JsonlSource<{p.RecordType}> {FileField(null)} = null!;");
        }

        private static string NewJsonlSource(PipelineSpec p, JsonlSpec file, string pathOption)
        {
            string policy = JsonlNamespace + ".JsonlErrorPolicy." + (file.OnError == "Skip" ? "SkipAndCount" : "Stop");
            string binding = file.JsonContext is { } context
                ? $"(global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<{p.RecordType}>){context}.Default.GetTypeInfo(typeof({p.RecordType}))!"
                : "(global::System.Text.Json.JsonSerializerOptions?)null";
            return $"new {JsonlNamespace}.JsonlSource<{p.RecordType}>(_options.{pathOption}, {binding}, {policy})";
        }

        /// <summary>Setup: open every JSON Lines file (rows are read on first use, malformed lines reported with file, line and field).</summary>
        private static void WriteJsonlSetup(SourceWriter writer, PipelineSpec p)
        {
            bool any = false;
            foreach (var source in p.Sources.Where(s => s.Jsonl is not null))
            {
                if (!any) writer.WriteLine("// JSON Lines files, bound to the record type; each is read once, on first use.");
                any = true;
                writer.WriteLine($"{FileField(source.Method)} = {NewJsonlSource(p, source.Jsonl!, source.Method + "Path")};");
            }

            if (p.Evaluation.Jsonl is { } eval)
            {
                if (!any) writer.WriteLine("// The held-out JSON Lines file, bound to the record type.");
                writer.WriteLine($"{FileField(null)} = {NewJsonlSource(p, eval, "EvalPath")};");
                writer.WriteLine($"{FileField(null)}.RequireRows(\"Eval\"); // a file whose every line was skipped stops here, saying why");
            }
        }

        /// <summary>The mixture entry of one source.</summary>
        private static string MixtureEntry(TrainerModel t, SourceSpec source) =>
            source.Jsonl is { } file
                ? $"{FileField(source.Method)}.ToMixtureSource({Literals.String(source.Method)}, _options.{source.Method}Weight, shuffle: {Literals.Bool(file.Shuffle)}{(file.WithReplacement ? ", withReplacement: true" : "")}),"
                : $"new({Literals.String(source.Method)}, _options.{source.Method}Weight, {t.Static(source.Method)}),";

        // ---- Trainer: policy, LoRA, facts -----------------------------------------------------------

        private static void WritePolicySetup(SourceWriter writer, PipelineSpec p, string corpus)
        {
            writer.WriteLine($$"""
                if (string.IsNullOrEmpty(_options.PolicyPath))
                {
                    // A character tokenizer over the characters of rendered prompts{{(p.Warmup is null ? "" : " and demonstrations")}}.
                    _tokenizer = global::Rft.Text.CharTokenizer.FromCorpus({{corpus}});

                    // The policy: preset {{Literals.String(p.Policy.Preset)}} (Rft:PolicyPreset), trained from scratch.
                    var config = global::Rft.Models.ModelPresets.Get(_options.PolicyPreset, _tokenizer.VocabSize, _options.MaxPromptTokens + _options.MaxNewTokens + 1);
                    _policy = global::Rft.Models.LlamaForCausalLM.Create(config, seeds.Derive("policy"));
                    _policy.MoveTo(_device, global::Rft.Training.DeviceSettings.DType(_options.Precision));   // drawn on the CPU in float32: the same weights anywhere
                }
                else
                {
                    // A pretrained policy and its tokenizer from Rft:PolicyPath: a Hugging Face folder, an Rft checkpoint or a llama2.c file.
                    var loaded = global::Rft.Models.PolicyLoader.Load(_options.PolicyPath, global::Rft.Training.DeviceSettings.DType(_options.Precision), _options.MaxPromptTokens + _options.MaxNewTokens + 1, _device);
                    _policy = loaded.Model;
                    _tokenizer = loaded.Tokenizer;
                    _facts.Add(new("policy_weight_bytes", loaded.Report.WeightBytes));
                    _facts.Add(new("policy_load_peak_resident_bytes", loaded.Report.PeakResidentBytes));
                    _facts.Add(new("policy_load_seconds", loaded.Report.Seconds));
                }

                // Rft:GradientCheckpointing: training forwards recompute each layer's activations in backward.
                _policy.GradientCheckpointing = _options.GradientCheckpointing;

                """);
            if (p.Policy.Lora is not null)
            {
                writer.WriteLine("""
                    _loraSeed = seeds.Derive("lora");
                    if (_options.LoraEnabled && (_options.LoraWarmUp || !HasWarmUp)) ApplyLora();

                    """);
            }
        }

        private static void WriteLoraMethod(SourceWriter writer, PipelineSpec p)
        {
            if (p.Policy.Lora is null) return;
            writer.WriteLine("""

                // [Lora]: adapters on Rft:LoraTargets, the base weights frozen; the optimizer sees only the adapters.
                private void ApplyLora()
                {
                    var settings = new global::Rft.Models.Lora.LoraSettings(
                        _options.LoraRank, _options.LoraAlpha, _options.LoraTargets.Split(',', global::System.StringSplitOptions.TrimEntries), _options.LoraDropout);
                    global::Rft.Models.Lora.LoraAdapters.Apply(_policy, settings, _loraSeed);
                    _facts.Add(new("lora_trainable_parameter_share", global::Rft.Models.Lora.LoraAdapters.TrainableParameterShare(_policy)));
                }
                """);
        }

        /// <summary>RL start: adapters that the warm-up did not train through are added now (after the KL reference is frozen).</summary>
        private static void WriteLoraAtRlStart(SourceWriter writer, PipelineSpec p)
        {
            if (p.Policy.Lora is null) return;
            writer.WriteLine("""
                if (_options.LoraEnabled && !global::Rft.Models.Lora.LoraAdapters.HasAdapters(_policy)) ApplyLora();
                """);
        }

        private static void WriteRunFacts(SourceWriter writer, PipelineSpec p)
        {
            writer.WriteLine("""

                /// <inheritdoc />
                public global::System.Collections.Generic.IReadOnlyList<global::System.Collections.Generic.KeyValuePair<string, double>> RunFacts
                {
                    get
                    {
                        var facts = new global::System.Collections.Generic.List<global::System.Collections.Generic.KeyValuePair<string, double>>(_facts);
                        facts.Add(new("policy_parameters", global::Rft.Training.Stats.ParameterCount(_policy, trainableOnly: false)));
                        facts.Add(new("trainable_parameters", global::Rft.Training.Stats.ParameterCount(_policy, trainableOnly: true)));
                """);
            writer.Indentation += 2;
            foreach (var source in p.Sources.Where(s => s.Jsonl is not null))
            {
                string field = FileField(source.Method);
                writer.WriteLine($"facts.Add(new({Literals.String(source.Method + "_rows")}, {field}.Rows.Count));");
                writer.WriteLine($"facts.Add(new({Literals.String(source.Method + "_skipped_lines")}, {field}.Report.Skipped));");
            }

            if (p.Evaluation.Jsonl is not null)
                writer.WriteLine($"facts.Add(new(\"eval_skipped_lines\", {FileField(null)}.Report.Skipped));");
            WritePromptFacts(writer);
            writer.Indentation -= 2;
            writer.WriteLine("""
                        return facts;
                    }
                }
                """);
        }

        /// <summary>A prompt as the policy sees it: with [PriorPrompt]'s instruction before it when declared.</summary>
        private static string RenderCall(TrainerModel t, string record, bool evaluation)
        {
            var p = t.Pipeline;
            string render = $"{t.Static(p.Prompt)}({record})";
            if (p.Data.PriorPrompt is null) return render;
            return evaluation
                ? $"_options.PriorPromptAtEvaluation ? string.Concat(_options.PriorPrompt, {render}) : {render}"
                : $"string.Concat(_options.PriorPrompt, {render})";
        }

        // ---- Trainer: curriculum, pass-rate filter, per-source metrics ------------------------------

        /// <summary>Whether a curriculum object chooses the records (any [Curriculum] or [PassRateFilter]).</summary>
        private static bool HasCurriculum(PipelineSpec p) => p.Data.Curriculum is not null || p.Data.Filter is not null;

        private static void WriteCurriculumFields(SourceWriter writer, PipelineSpec p)
        {
            writer.WriteLine("private int[] _recordSources = null!;");
            writer.WriteLine("private global::Rft.Data.SourceMetrics _sourceMetrics = null!;");
            if (!HasCurriculum(p)) return;
            writer.WriteLine($$"""
                private global::Rft.Data.Curricula.ICurriculum<{{p.RecordType}}> _curriculum = null!;
                private float[] _advantageValues = null!;
                private double[] _passRates = null!;
                private double[] _meanAbsAdvantages = null!;
                """);
        }

        /// <summary>The curriculum's construction over <c>_mixture</c>, and the RL report with every metric's name.</summary>
        private static void WriteCurriculumSetup(SourceWriter writer, PipelineSpec p)
        {
            writer.WriteLine(p.Data.DynamicSamplingRounds is null ? "_recordSources = new int[_options.PromptsPerStep];" : "_recordSources = new int[2 * _options.PromptsPerStep];");
            writer.WriteLine("_sourceMetrics = global::Rft.Data.SourceMetrics.For(_mixture);");
            if (p.Data.DynamicSamplingRounds is not null)
            {
                writer.WriteLine("""
                    _rlReport = new global::Rft.Training.StepReport(global::Rft.Training.TrainingPhase.Rl, RewardNames, global::System.Linq.Enumerable.ToArray(
                        global::System.Linq.Enumerable.Concat(global::System.Linq.Enumerable.Concat(_sourceMetrics.MetricNames, new[] { "dynamic/prompts_drawn", "dynamic/rounds" }), global::System.Linq.Enumerable.Concat(OffPolicyMetricNames, global::Rft.Rollout.PromptLengthGuard.MetricNames))));
                    """);
                return;
            }

            if (!HasCurriculum(p))
            {
                writer.WriteLine("""
                    _rlReport = new global::Rft.Training.StepReport(global::Rft.Training.TrainingPhase.Rl, RewardNames,
                        global::System.Linq.Enumerable.ToArray(global::System.Linq.Enumerable.Concat(_sourceMetrics.MetricNames, global::System.Linq.Enumerable.Concat(OffPolicyMetricNames, global::Rft.Rollout.PromptLengthGuard.MetricNames))));
                    """);
                return;
            }

            string record = p.RecordType;
            if (p.Data.Filter is { } filter)
            {
                writer.WriteLine($"// [PassRateFilter]: problems (keyed by {(filter.Key.Length == 0 ? "the record" : filter.Key)}) whose recent pass rate is 0 or 1 are skipped.");
                writer.WriteLine($"_curriculum = new global::Rft.Data.Curricula.PassRateFilter<{record}>(_mixture, static r => {filter.KeyExpression}, _options.FilterWindow, _options.FilterMinAttempts, _options.FilterMaxSkipsPerDraw);");
            }
            else if (p.Data.Curriculum is { } c)
            {
                switch (c.Kind)
                {
                    case "Staged":
                        writer.WriteLine($"// [Curriculum(Staged)]: stages are the values of {c.Key}, easiest first; the next stage starts when the accuracy over the last CurriculumWindow problems reaches CurriculumThreshold.");
                        writer.WriteLine($"_curriculum = new global::Rft.Data.Curricula.StagedCurriculum<{record}>(_mixture, static r => {c.KeyExpression}, _options.CurriculumThreshold, _options.CurriculumWindow{KeyNames(c)});");
                        break;
                    case "SelfEvolving":
                        writer.WriteLine($"// [Curriculum(SelfEvolving)]: the values of {c.Key} are bandit arms valued by the mean |advantage| of their problems (TD(0), CurriculumAlpha) and chosen by Boltzmann sampling (CurriculumTemperature).");
                        writer.WriteLine($"_curriculum = new global::Rft.Data.Curricula.SelfEvolvingCurriculum<{record}>(_mixture, static r => {c.KeyExpression}, _options.CurriculumAlpha, _options.CurriculumTemperature, seeds.Derive(\"curriculum\"){KeyNames(c)});");
                        break;
                    default:
                        writer.WriteLine($"_curriculum = new global::Rft.Data.Curricula.UniformCurriculum<{record}>(_mixture);");
                        break;
                }
            }

            writer.WriteLine("""
                _advantageValues = new float[rows];
                _passRates = new double[_options.PromptsPerStep];
                _meanAbsAdvantages = new double[_options.PromptsPerStep];
                _rlReport = new global::Rft.Training.StepReport(global::Rft.Training.TrainingPhase.Rl, RewardNames, global::System.Linq.Enumerable.ToArray(
                    global::System.Linq.Enumerable.Concat(global::System.Linq.Enumerable.Concat(_sourceMetrics.MetricNames, _curriculum.MetricNames), global::System.Linq.Enumerable.Concat(OffPolicyMetricNames, global::Rft.Rollout.PromptLengthGuard.MetricNames))));
                """);
        }

        /// <summary>An enum key's member names, so that the curriculum's metrics name its stages or arms (", keyNames: ..."), or empty.</summary>
        private static string KeyNames(CurriculumSpec curriculum) =>
            curriculum.KeyEnum.Length == 0 ? string.Empty : $", keyNames: global::Rft.Data.Curricula.CurriculumKey.NamesOf<{curriculum.KeyEnum}>()";

        /// <summary>Step 1: the records of the step, from the curriculum or straight from the mixture.</summary>
        private static void WriteDraw(SourceWriter writer, TrainerModel t)
        {
            var p = t.Pipeline;
            if (HasCurriculum(p))
            {
                writer.WriteLine($$"""
                    // 1. The curriculum picks PromptsPerStep records; render their prompts. A record whose prompt is skipped as
                    //    too long (Rft:OverlongPrompts = Skip) is withdrawn, the later ones move up, and a replacement is drawn
                    //    last: the curriculum's feedback follows the order of its draws.
                    _prompts.Clear();
                    _sourceMetrics.Clear();
                    _promptGuard.Clear();
                    _curriculum.Draw(_records, _recordSources);
                    for (int p = 0; p < _records.Length;)
                    {
                        if (_promptGuard.TryAdd(_prompts, {{RenderCall(t, "_records[p]", evaluation: false)}}, _tokenizer))
                        {
                            _sourceMetrics.AddPrompt(_recordSources[p++]);
                            continue;
                        }

                        _curriculum.Withdraw(p);
                        global::System.Array.Copy(_records, p + 1, _records, p, _records.Length - p - 1);
                        global::System.Array.Copy(_recordSources, p + 1, _recordSources, p, _records.Length - p - 1);
                        _curriculum.Draw(global::System.MemoryExtensions.AsSpan(_records, _records.Length - 1), global::System.MemoryExtensions.AsSpan(_recordSources, _records.Length - 1));
                    }

                    """);
                WritePromptMetrics(writer);
            }
            else
            {
                writer.WriteLine($$"""
                    // 1. Draw PromptsPerStep records from the mixture and render their prompts; a record whose prompt is
                    //    skipped as too long (Rft:OverlongPrompts = Skip) gives its place to the next one drawn.
                    _prompts.Clear();
                    _sourceMetrics.Clear();
                    _promptGuard.Clear();
                    for (int p = 0; p < _records.Length;)
                    {
                        var record = _mixture.Next(out _recordSources[p]);
                        if (!_promptGuard.TryAdd(_prompts, {{RenderCall(t, "record", evaluation: false)}}, _tokenizer)) continue;
                        _records[p] = record;
                        _sourceMetrics.AddPrompt(_recordSources[p++]);
                    }

                    """);
                WritePromptMetrics(writer);
            }
        }

        /// <summary>In Update, right after the advantages: their host copy for the curriculum's feedback.</summary>
        private static void WriteAdvantageCopy(SourceWriter writer, PipelineSpec p)
        {
            if (!HasCurriculum(p)) return;
            writer.WriteLine("""

                // Each row's mean |advantage| over its tokens, on the host for the curriculum's feedback.
                ((advantages.abs() * mask).sum(1) / mask.sum(1).clamp_min(1)).to(global::TorchSharp.torch.CPU).data<float>().CopyTo(_advantageValues);
                """);
        }

        /// <summary>Step 8: per-source metrics and the curriculum's feedback.</summary>
        private static void WriteSignalMethod(SourceWriter writer, PipelineSpec p)
        {
            writer.WriteLine("""

                // 8. Per-source metrics{{CURRICULUM}}.
                private void RecordSignal(int rows, global::Rft.Training.StepReport report)
                {
                    for (int i = 0; i < rows; i++)
                        _sourceMetrics.AddCompletion(_recordSources[i / _options.GroupSize], _scores.Score(i), _scores.IsCorrect(i));
                    _sourceMetrics.WriteMetrics(report.Extra);
                """.Replace("{{CURRICULUM}}", HasCurriculum(p) ? ", then the curriculum learns each prompt's pass rate and mean |advantage|" : string.Empty));
            if (HasCurriculum(p))
            {
                writer.WriteLine("""
                        _scores.GroupSignal(_options.GroupSize, _advantageValues, _passRates, _meanAbsAdvantages);
                        _curriculum.Feedback(_passRates, _meanAbsAdvantages);
                        _curriculum.WriteMetrics(global::System.MemoryExtensions.AsSpan(report.Extra, _sourceMetrics.MetricNames.Count));
                    """);
            }

            writer.WriteLine("}");
        }

        // ---- Trainer: DAPO dynamic sampling ----------------------------------------------------------

        private static void WriteDynamicSamplingFields(SourceWriter writer, PipelineSpec p)
        {
            if (p.Data.DynamicSamplingRounds is null) return;
            writer.WriteLine("""
                private global::Rft.Rollout.RolloutAccumulator _accumulator = null!; // [DynamicSampling]: the kept groups of a step
                private float[] _roundScores = null!;
                private int[] _informative = null!;
                """);
        }

        private static void WriteDynamicSamplingSetup(SourceWriter writer, PipelineSpec p)
        {
            if (p.Data.DynamicSamplingRounds is null) return;
            writer.WriteLine("""
                _accumulator = new global::Rft.Rollout.RolloutAccumulator(rows, _options.MaxPromptTokens, _options.MaxNewTokens, _tokenizer.PadId, _device);
                _roundScores = new float[rows];
                _informative = new int[_options.PromptsPerStep];
                """);
        }

        /// <summary>
        /// Steps 1-3 under [DynamicSampling]: rounds of PromptsPerStep prompts are drawn, rolled out and scored
        /// behind the groups kept so far; groups whose scores differ are moved down and copied into the
        /// accumulator until PromptsPerStep groups are kept or the extra rounds are spent.
        /// </summary>
        private static void WriteDynamicSamplingRounds(SourceWriter writer, TrainerModel t)
        {
            var p = t.Pipeline;
            writer.WriteLine($$"""
                // 1-3. DAPO dynamic sampling: draw, roll out and score rounds of PromptsPerStep prompts; keep the
                //      groups whose scores differ (a group of equal rewards has no advantage, no gradient) until
                //      PromptsPerStep groups are kept or DynamicSamplingMaxExtraRounds extra rounds are spent.
                //      A round's records and scores go behind the kept ones, and kept groups are moved down.
                _accumulator.Clear();
                _sourceMetrics.Clear();
                _promptGuard.Clear();
                _scores.Clear(0);
                int group = _options.GroupSize, wanted = _options.PromptsPerStep, kept = 0, drawn = 0, rounds = 0;
                while (kept < wanted && rounds <= _options.DynamicSamplingMaxExtraRounds)
                {
                    rounds++;
                    _prompts.Clear();
                    for (int p = kept; p < kept + wanted;)
                    {
                        var record = _mixture.Next(out _recordSources[p]);
                        if (!_promptGuard.TryAdd(_prompts, {{RenderCall(t, "record", evaluation: false)}}, _tokenizer)) continue; // skipped as too long: the next record takes its place
                        _records[p] = record;
                        _sourceMetrics.AddPrompt(_recordSources[p++]);
                    }

                    drawn += wanted;
                    _timer.Restart();
                    var round = _sampler.Generate(_prompts, group, sampling, _sampling);
                    _completions.Decode(round);
                    _timer.Lap(report, global::Rft.Training.StepPhase.Rollout); // each round's time adds up
                    report.RolloutTokens += round.GeneratedTokens;
                    {{(p.HasAsyncRewards ? "await ScoreAsync(kept * group, round.Rows);" : "Score(kept * group, round.Rows);")}}
                    _timer.Lap(report, global::Rft.Training.StepPhase.Score);

                    _scores.CopyScores(kept * group, _roundScores);
                    int informative = global::Rft.Rollout.RolloutAccumulator.FindInformativeGroups(_roundScores, group, _informative);
                    int take = global::System.Math.Min(informative, wanted - kept);
                    _accumulator.AddGroups(round, global::System.MemoryExtensions.AsSpan(_informative, 0, take), group);
                    for (int j = 0; j < take; j++)
                    {
                        int from = kept + _informative[j], to = kept + j;
                        if (from == to) continue;
                        _records[to] = _records[from];
                        _recordSources[to] = _recordSources[from];
                        _scores.MoveRows(from * group, to * group, group);
                """);
            writer.Indentation += 2;
            foreach (var reward in t.Rewards)
                writer.WriteLine($"global::System.Array.Copy({reward.Field}, from * group, {reward.Field}, to * group, group);");
            writer.Indentation -= 2;
            writer.WriteLine("""
                    }

                    kept += take;
                    _scores.SetRowCount(kept * group);
                }

                report.TimedOutRewards = _scores.TimedOut;
                _scores.ThrowOnTooManyTimeouts(drawn * group, _options.MaxTimedOutShare);

                """);
            WritePromptMetrics(writer);
        }
    }
}
