using System.Collections.Generic;
using System.Linq;
using Rft.Generators.Emit;
using Rft.Generators.Options;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    internal static partial class Emitter
    {
        private const string Checks = "global::Rft.Training.OptionChecks";

        /// <summary>One option: a settable property with the attribute's value as its default, and its checks.</summary>
        private sealed record OptionProperty(string Name, string Type, string? Initializer, IReadOnlyList<string> Validation);

        /// <summary>The options of one attribute, under a <c>// [Attribute]</c> comment.</summary>
        private sealed record OptionSection(string Title, IReadOnlyList<OptionProperty> Properties);

        private static string EmitOptions(PipelineSpec pipeline)
        {
            var writer = new SourceWriter();
            WriteHeader(writer, pipeline);
            writer.WriteLine($$"""
                /// <summary>
                /// Every setting of the <see cref="{{pipeline.FullName}}"/> pipeline, with the pipeline's
                /// attribute values as defaults. Bound from the configuration section "Rft": appsettings.json,
                /// environment variables (Rft__Steps=500) or the command line (--Rft:Steps=500).
                /// </summary>
                {{GeneratedCodeAttribute}}
                {{Accessibility(pipeline)}} sealed partial class {{pipeline.OptionsName}} : global::Rft.Training.IRftOptions
                """);
            writer.OpenBlock();
            writer.WriteLine("""
                /// <summary>The configuration section the options bind from.</summary>
                public const string SectionName = "Rft";
                """);

            var sections = OptionSections(pipeline);
            foreach (var section in sections)
            {
                writer.WriteLine();
                writer.WriteLine("// " + section.Title);
                foreach (var option in section.Properties)
                {
                    writer.WriteLine(option.Initializer is null
                        ? $"public {option.Type} {option.Name} {{ get; set; }}"
                        : $"public {option.Type} {option.Name} {{ get; set; }} = {option.Initializer};");
                }
            }

            writer.WriteLine();
            writer.WriteLine("""
                /// <inheritdoc />
                public global::System.Collections.Generic.IReadOnlyList<string> Validate()
                """);
            writer.OpenBlock();
            writer.WriteLine("var errors = new global::System.Collections.Generic.List<string>();");
            foreach (var section in sections)
            {
                foreach (var option in section.Properties)
                {
                    foreach (var line in option.Validation) writer.WriteLine(line);
                }
            }

            writer.WriteLine("return errors;");
            writer.CloseBlock();
            writer.CloseBlock();
            return writer.ToString();
        }

        private static List<OptionSection> OptionSections(PipelineSpec pipeline)
        {
            var training = pipeline.Training;
            var rollout = pipeline.Rollout;
            var sections = new List<OptionSection>
            {
                new("[Training]", new[]
                {
                    Int("Seed", training.Seed),
                    Int("Steps", training.Steps),
                    Double("LearningRate", training.LearningRate),
                    Int("WarmupSteps", training.WarmupSteps),
                    Double("MinLearningRateRatio", training.MinLearningRateRatio),
                    Double("WeightDecay", training.WeightDecay),
                    Double("MaxGradNorm", training.MaxGradNorm),
                    Int("LogEvery", training.LogEvery),
                    Int("EvalEvery", training.EvalEvery),
                    Int("MicroBatchSize", training.MicroBatchSize),
                    Int("PpoEpochs", training.PpoEpochs),
                    new OptionProperty("MiniBatches", "int", Literals.Int(training.MiniBatches), new[]
                    {
                        Validation("MiniBatches", OptionCatalog.RuleOf("MiniBatches")),
                        $"{Checks}.MiniBatches(errors, MiniBatches, PromptsPerStep, GroupSize);",
                    }),
                    EnumOption("OldLogProbs", "global::Rft.OldLogProbSource", training.OldLogProbs),
                    new OptionProperty("Device", "string", Literals.String(training.Device), new[]
                    {
                        $"{Checks}.Device(errors, \"Rft:Device\", Device);",
                    }),
                    EnumOption("Precision", "global::Rft.Precision", training.Precision),
                    new OptionProperty("GradientCheckpointing", "bool", Literals.Bool(training.GradientCheckpointing), new string[0]),
                    new OptionProperty("RunDirectory", "string", Literals.String("runs"), new[]
                    {
                        $"{Checks}.NotEmpty(errors, \"Rft:RunDirectory\", RunDirectory);",
                    }),
                    Int("CheckpointEvery", training.CheckpointEvery),
                    Double("MaxTimedOutShare", training.MaxTimedOutShare),
                    Int("KeepCheckpoints", training.KeepCheckpoints),
                    // Rft:TensorBoard=true also writes the metrics as TensorBoard event files in the run directory.
                    new OptionProperty("TensorBoard", "bool", "false", System.Array.Empty<string>()),
                }),
                // Set on the command line to continue a run (--Rft:Resume=latest); the host checks them.
                new("Resuming a run: --Rft:Resume=latest or a run directory", new[]
                {
                    new OptionProperty("Resume", "string?", null, new string[0]),
                    new OptionProperty("ResumeOverride", "bool", Literals.Bool(false), new string[0]),
                }),
                new("[Policy]", new[]
                {
                    new OptionProperty("PolicyPreset", "string", Literals.String(pipeline.Policy.Preset), new[]
                    {
                        $"{Checks}.Preset(errors, \"Rft:PolicyPreset\", PolicyPreset, PolicyPath);",
                    }),
                    new OptionProperty("PolicyPath", "string?", pipeline.Policy.Path is null ? null : Literals.String(pipeline.Policy.Path), new[]
                    {
                        $"{Checks}.ModelPath(errors, \"Rft:PolicyPath\", PolicyPath);",
                    }),
                }),
            };

            // The estimator, the policy loss, the aggregation and the optional terms (RftGenerator.Emitter.Loss.cs).
            sections.AddRange(LossOptionSections(pipeline));
            sections.AddRange(OffPolicyOptionSections(pipeline)); // RftGenerator.Emitter.OffPolicy.cs

            sections.Add(new("[Rollout]", new[]
            {
                Int("MaxNewTokens", rollout.MaxNewTokens),
                Int("MaxPromptTokens", rollout.MaxPromptTokens),
                Double("Temperature", rollout.Temperature),
                Double("TopP", rollout.TopP),
                new OptionProperty("DecodeRows", "int", Literals.Int(rollout.DecodeRows), new[]
                {
                    Validation("DecodeRows", OptionCatalog.RuleOf("DecodeRows")),
                    $"{Checks}.DecodeRows(errors, DecodeRows, GroupSize);",
                }),
                OverlongPromptsOption(rollout.OverlongPrompts), // RftGenerator.Emitter.Prompts.cs
            }));

            if (pipeline.Warmup is { } warmup)
            {
                sections.Add(new("[SftWarmup]", new[]
                {
                    Int("SftMaxSteps", warmup.MaxSteps),
                    Int("SftBatchSize", warmup.BatchSize),
                    Double("SftLearningRate", warmup.LearningRate),
                    Double("SftTargetAccuracy", warmup.TargetAccuracy),
                    Int("SftEvalEvery", warmup.EvalEvery),
                    Int("SftValidationSize", warmup.ValidationSize),
                    Int("SftWarmupSteps", warmup.WarmupSteps),
                    Double("SftMinLearningRateRatio", warmup.MinLearningRateRatio),
                }));
            }

            if (pipeline.Evaluation.Jsonl is { } evalFile)
            {
                sections.Add(new("[JsonlEvalSource]", new[]
                {
                    Int("EvalCount", pipeline.Evaluation.Count),
                    new OptionProperty("EvalPath", "string", Literals.String(evalFile.Path), new[] { $"{Checks}.FileExists(errors, \"Rft:EvalPath\", EvalPath);" }),
                }));
            }
            else
            {
                sections.Add(new("[EvalSource]", new[] { Int("EvalCount", pipeline.Evaluation.Count) }));
            }

            var sourceWeights = new List<OptionProperty>();
            foreach (var source in pipeline.Sources)
            {
                if (source.Jsonl is { } file)
                    sourceWeights.Add(new OptionProperty(source.Method + "Path", "string", Literals.String(file.Path), new[] { $"{Checks}.FileExists(errors, \"Rft:{source.Method}Path\", {source.Method}Path);" }));
                sourceWeights.Add(Weight(source.Method + "Weight", source.Weight));
            }

            sections.Add(new(pipeline.Sources.Any(s => s.Jsonl is not null) ? "[Source] and [JsonlSource] paths and weights" : "[Source] weights", sourceWeights));
            DataOptionSections(pipeline, sections);

            var rewardWeights = new List<OptionProperty>();
            foreach (var reward in pipeline.Rewards)
            {
                rewardWeights.Add(new OptionProperty(reward.Method + "Weight", "double", Literals.Double(reward.Weight), new[] { Validation(reward.Method + "Weight", OptionCatalog.RewardWeight) }));
                rewardWeights.Add(new OptionProperty(reward.Method + "TimeoutSeconds", "double", Literals.Double(reward.TimeoutSeconds),
                    new[] { Validation(reward.Method + "TimeoutSeconds", OptionCatalog.RuleOf("RewardTimeoutSeconds")) }));
            }

            sections.Add(new("[Reward] weights and timeouts", rewardWeights));
            if (LossTermWeights(pipeline) is { } termWeights) sections.Add(termWeights);
            return sections;
        }

        /// <summary>An enum option, checked to be a defined member.</summary>
        private static OptionProperty EnumOption(string name, string type, string member) =>
            new(name, type, EnumLiteral(type, member), new[]
            {
                $"if (!global::System.Enum.IsDefined({name}))",
                $"    errors.Add($\"Rft:{name} = {{{name}}} is invalid: it must be one of {{string.Join(\", \", global::System.Enum.GetNames<{type}>())}}.\");",
            });

        private static OptionProperty Int(string name, int value) =>
            new(name, "int", Literals.Int(value), new[] { Validation(name, OptionCatalog.RuleOf(name)) });

        private static OptionProperty Double(string name, double value) =>
            new(name, "double", Literals.Double(value), new[] { Validation(name, OptionCatalog.RuleOf(name)) });

        private static OptionProperty Weight(string name, double value) =>
            new(name, "double", Literals.Double(value), new[] { Validation(name, OptionCatalog.Weight) });

        private static string Validation(string name, OptionRule rule)
        {
            string bounds = rule.Kind switch
            {
                OptionRuleKind.AtLeast => ", " + Literals.Double(rule.Low),
                OptionRuleKind.Positive or OptionRuleKind.NonNegative => string.Empty,
                _ => ", " + Literals.Double(rule.Low) + ", " + Literals.Double(rule.High),
            };
            return $"{Checks}.{rule.CheckMethod}(errors, \"Rft:{name}\", {name}{bounds});";
        }
    }
}
