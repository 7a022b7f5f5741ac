using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Rft.Generators.Diagnostics;
using Rft.Generators.Infrastructure;
using Rft.Generators.Options;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    /// <summary>
    /// Reads a [Pipeline] class into a <see cref="PipelineSpec"/> and a diagnostic for everything wrong
    /// with it. Symbols and syntax stay in here: only values leave.
    /// </summary>
    internal sealed partial class Parser
    {
        private static readonly SymbolDisplayFormat MessageFormat = SymbolDisplayFormat.CSharpShortErrorMessageFormat;

        private static readonly SymbolDisplayFormat NamespaceFormat =
            SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted);

        private readonly Compilation _compilation;
        private readonly KnownTypes _types;
        private readonly INamedTypeSymbol _pipeline;
        private readonly CancellationToken _cancellationToken;
        private readonly List<DiagnosticInfo> _diagnostics = new();

        // Source and reward names, case-insensitively (configuration keys are): each gets an option <Name>Weight.
        private readonly Dictionary<string, string> _weightedNames = new(StringComparer.OrdinalIgnoreCase);

        private Parser(Compilation compilation, INamedTypeSymbol pipeline, CancellationToken cancellationToken)
        {
            _compilation = compilation;
            _types = new KnownTypes(compilation);
            _pipeline = pipeline;
            _cancellationToken = cancellationToken;
        }

        /// <summary>The pipeline's spec and diagnostics; null for a second declaration of a class already parsed.</summary>
        public static ParseResult? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            // [Pipeline] on two partial declarations is already an error (CS0579): parse the class once,
            // at the first, so that its files are not emitted twice.
            var attribute = context.Attributes[0];
            var first = context.TargetSymbol.GetAttributes()
                .First(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute.AttributeClass))
                .ApplicationSyntaxReference;
            var mine = attribute.ApplicationSyntaxReference;
            if (first is not null && mine is not null && (first.SyntaxTree != mine.SyntaxTree || first.Span != mine.Span)) return null;

            var parser = new Parser(context.SemanticModel.Compilation, (INamedTypeSymbol)context.TargetSymbol, cancellationToken);
            return parser.Parse((ClassDeclarationSyntax)context.TargetNode);
        }

        private ParseResult Parse(ClassDeclarationSyntax declaration)
        {
            var classLocation = declaration.Identifier.GetLocation();
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                Report(DiagnosticDescriptors.PipelineNotPartial, classLocation, _pipeline.Name);
            if (_pipeline.ContainingType is not null)
                Report(DiagnosticDescriptors.UnsupportedPipelineShape, classLocation, _pipeline.Name, "is nested in " + Display(_pipeline.ContainingType));
            else if (_pipeline.IsGenericType)
                Report(DiagnosticDescriptors.UnsupportedPipelineShape, classLocation, _pipeline.Name, "is generic");

            // Class-level settings: each attribute's values, its defaults where absent.
            var policy = PolicySpec.Default;
            var training = TrainingSpec.Default;
            var rollout = RolloutSpec.Default;
            AttributeData? sftWarmup = null, trainingAttribute = null;
            var data = new DataAttributes();
            foreach (var attribute in _pipeline.GetAttributes())
            {
                var type = attribute.AttributeClass;
                if (data.Collect(attribute, _types)) continue;
                if (KnownTypes.Is(type, _types.Policy)) policy = ReadPolicy(attribute);
                else if (KnownTypes.Is(type, _types.Training)) training = ReadTraining(trainingAttribute = attribute);
                else if (KnownTypes.Is(type, _types.Rollout)) rollout = ReadRollout(attribute);
                else if (KnownTypes.Is(type, _types.SftWarmup)) sftWarmup = attribute;
            }

            // Methods by role, in declaration order (the mixture and the reward list keep that order).
            var sources = new List<(IMethodSymbol Method, AttributeData Attribute)>();
            var evalSources = new List<(IMethodSymbol Method, AttributeData Attribute)>();
            var prompts = new List<IMethodSymbol>();
            var demonstrations = new List<IMethodSymbol>();
            var rewards = new List<(IMethodSymbol Method, AttributeData Attribute)>();
            foreach (var member in _pipeline.GetMembers())
            {
                _cancellationToken.ThrowIfCancellationRequested();
                if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method) continue;
                foreach (var attribute in method.GetAttributes())
                {
                    var type = attribute.AttributeClass;
                    if (KnownTypes.Is(type, _types.Source)) sources.Add((method, attribute));
                    else if (KnownTypes.Is(type, _types.EvalSource)) evalSources.Add((method, attribute));
                    else if (KnownTypes.Is(type, _types.Prompt)) prompts.Add(method);
                    else if (KnownTypes.Is(type, _types.Demonstration)) demonstrations.Add(method);
                    else if (KnownTypes.Is(type, _types.Reward)) rewards.Add((method, attribute));
                }
            }

            // The record type is what the first well-formed source yields; every other source must agree.
            var recordSource = sources.Select(s => s.Method).FirstOrDefault(m => ElementType(m) is not null);
            var recordType = recordSource is null ? null : ElementType(recordSource);
            string recordOrigin = recordSource?.Name ?? string.Empty;
            if (recordType is null && data.FirstRecordType() is { } jsonlRecord)
                (recordType, recordOrigin) = jsonlRecord;
            var recordName = recordType is null ? "TRecord" : Display(recordType);

            if (sources.Count == 0 && data.JsonlSources.Count == 0) Report(DiagnosticDescriptors.NoSource, classLocation, _pipeline.Name);
            var sourceSpecs = new List<SourceSpec>();
            foreach (var (method, attribute) in sources)
            {
                CheckSourceSignature("Source", method, recordName);
                CheckRecordType("Source", method, recordType, recordSource);
                double weight = ReadWeight("Source", method, attribute);
                CheckDistinctName("Source", method);
                sourceSpecs.Add(new SourceSpec(method.Name, weight));
            }

            foreach (var attribute in data.JsonlSources)
            {
                if (ReadJsonlSource(attribute, recordType, recordOrigin) is { } jsonlSource) sourceSpecs.Add(jsonlSource);
            }

            var evaluation = data.JsonlEvalSource is { } jsonlEval && evalSources.Count == 0
                ? ReadJsonlEvalSource(jsonlEval, recordType, recordOrigin)
                : ParseEvaluation(evalSources, recordType, recordSource, recordName, classLocation);
            if (data.JsonlEvalSource is { } ignoredEval && evalSources.Count > 0)
                Report(DiagnosticDescriptors.DuplicateRole, AttributeLocation(ignoredEval), "JsonlEvalSource", "the file", evalSources[0].Method.Name);
            policy = policy with { Lora = data.Lora is null ? null : ReadLora(data.Lora) };
            var dataSpec = ReadData(data, recordType);

            string prompt = string.Empty;
            var promptKind = PromptKind.Text;
            if (prompts.Count == 0) Report(DiagnosticDescriptors.NoPrompt, classLocation, _pipeline.Name, recordName);
            else prompt = ParseRenderer("Prompt", prompts, recordType, recordName, out promptKind);

            WarmupSpec? warmup = null;
            if (demonstrations.Count > 0)
            {
                var demonstration = ParseRenderer("Demonstration", demonstrations, recordType, recordName, out _);
                warmup = sftWarmup is null ? WarmupSpec.Defaults(demonstration) : ReadWarmup(sftWarmup, demonstration);
            }
            else if (sftWarmup is not null)
            {
                ReadWarmup(sftWarmup, string.Empty); // still range-checked
                Report(DiagnosticDescriptors.WarmupWithoutDemonstration, AttributeLocation(sftWarmup), _pipeline.Name);
            }

            // The loss composition (RftGenerator.Parser.Loss.cs). An [SftTerm] imitates the demonstrations
            // during RL: without an explicit [SftWarmup] there is no separate warm-up phase.
            var loss = ParseLoss(warmup?.Demonstration, recordName);
            if (loss.SftTerm is not null && sftWarmup is null && warmup is not null) warmup = warmup with { MaxSteps = 0 };
            if (trainingAttribute is not null) CheckUpdateShape(trainingAttribute, training, loss.Advantage);
            var (offPolicy, offPolicyLoss) = ParseOffPolicy(loss, training); // RftGenerator.Parser.OffPolicy.cs
            loss = offPolicyLoss;

            if (rewards.Count == 0) Report(DiagnosticDescriptors.NoReward, classLocation, _pipeline.Name);
            var rewardSpecs = ParseRewards(rewards, recordType);

            var spec = new PipelineSpec(
                Namespace: _pipeline.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString(NamespaceFormat) : string.Empty,
                Name: _pipeline.Name,
                IsPublic: _pipeline.DeclaredAccessibility == Accessibility.Public,
                RecordType: recordType?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) ?? string.Empty,
                Policy: policy,
                Training: training,
                Rollout: rollout,
                Loss: loss,
                Sources: sourceSpecs.ToEquatableArray(),
                Evaluation: evaluation,
                Prompt: prompt,
                PromptKind: promptKind,
                Warmup: warmup,
                Rewards: rewardSpecs.ToEquatableArray(),
                Data: dataSpec,
                IsValid: !_diagnostics.Any(d => d.IsError),
                OffPolicy: offPolicy);
            return new ParseResult(spec, _diagnostics.ToEquatableArray());
        }

        // ---- Class attributes -------------------------------------------------------------------

        private PolicySpec ReadPolicy(AttributeData attribute)
        {
            var defaults = PolicySpec.Default;
            return new PolicySpec(
                TryGetNamed(attribute, "Preset", out string? preset) && preset is not null ? preset : defaults.Preset,
                TryGetNamed(attribute, "Path", out string? path) ? path : defaults.Path);
        }

        private TrainingSpec ReadTraining(AttributeData attribute)
        {
            var d = TrainingSpec.Default;
            const string Name = "Training";
            return new TrainingSpec(
                Steps: ReadInt(attribute, Name, "Steps", d.Steps),
                LearningRate: ReadDouble(attribute, Name, "LearningRate", d.LearningRate),
                WarmupSteps: ReadInt(attribute, Name, "WarmupSteps", d.WarmupSteps),
                MinLearningRateRatio: ReadDouble(attribute, Name, "MinLearningRateRatio", d.MinLearningRateRatio),
                WeightDecay: ReadDouble(attribute, Name, "WeightDecay", d.WeightDecay),
                MaxGradNorm: ReadDouble(attribute, Name, "MaxGradNorm", d.MaxGradNorm),
                Seed: ReadInt(attribute, Name, "Seed", d.Seed),
                LogEvery: ReadInt(attribute, Name, "LogEvery", d.LogEvery),
                EvalEvery: ReadInt(attribute, Name, "EvalEvery", d.EvalEvery),
                MicroBatchSize: ReadInt(attribute, Name, "MicroBatchSize", d.MicroBatchSize),
                PpoEpochs: ReadInt(attribute, Name, "PpoEpochs", d.PpoEpochs),
                MiniBatches: ReadInt(attribute, Name, "MiniBatches", d.MiniBatches),
                OldLogProbs: TryGetNamed(attribute, "OldLogProbs", out int source) ? EnumMemberName("Rft.OldLogProbSource", source) : d.OldLogProbs,
                Device: ReadDevice(attribute, d.Device),
                Precision: TryGetNamed(attribute, "Precision", out int precision) ? EnumMemberName("Rft.Precision", precision) : d.Precision,
                GradientCheckpointing: TryGetNamed(attribute, "GradientCheckpointing", out bool checkpointing) ? checkpointing : d.GradientCheckpointing,
                CheckpointEvery: ReadInt(attribute, Name, "CheckpointEvery", d.CheckpointEvery),
                KeepCheckpoints: ReadInt(attribute, Name, "KeepCheckpoints", d.KeepCheckpoints),
                MaxTimedOutShare: ReadDouble(attribute, Name, "MaxTimedOutShare", d.MaxTimedOutShare));
        }

        /// <summary>Mini-batches and micro-batches that cannot split a step's completions as declared.</summary>
        private void CheckUpdateShape(AttributeData attribute, TrainingSpec training, AdvantageSpec advantage)
        {
            int rows = advantage.PromptsPerStep * advantage.GroupSize;
            if (rows < 1) return;
            if (training.MiniBatches > rows)
            {
                Report(DiagnosticDescriptors.MiniBatchesExceedRows, NamedArgumentLocation(attribute, "MiniBatches"),
                    training.MiniBatches, rows, advantage.PromptsPerStep, advantage.GroupSize);
                return;
            }

            int miniBatchRows = (rows + training.MiniBatches - 1) / training.MiniBatches;
            if (training.MicroBatchSize > miniBatchRows)
            {
                Report(DiagnosticDescriptors.MicroBatchLargerThanMiniBatch, NamedArgumentLocation(attribute, "MicroBatchSize"),
                    training.MicroBatchSize, miniBatchRows, rows, training.MiniBatches);
            }
        }

        /// <summary>[Training(Device = ...)]: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>, checked here as the options check it at start.</summary>
        private string ReadDevice(AttributeData attribute, string fallback)
        {
            if (!TryGetNamed(attribute, "Device", out string? device) || device is null) return fallback;
            if (!DeviceNames.IsValid(device))
                Report(DiagnosticDescriptors.InvalidDevice, NamedArgumentLocation(attribute, "Device"), device);
            return device;
        }

        private RolloutSpec ReadRollout(AttributeData attribute)
        {
            var d = RolloutSpec.Default;
            const string Name = "Rollout";
            return new RolloutSpec(
                MaxNewTokens: ReadInt(attribute, Name, "MaxNewTokens", d.MaxNewTokens),
                MaxPromptTokens: ReadInt(attribute, Name, "MaxPromptTokens", d.MaxPromptTokens),
                Temperature: ReadDouble(attribute, Name, "Temperature", d.Temperature),
                TopP: ReadDouble(attribute, Name, "TopP", d.TopP),
                OverlongPrompts: TryGetNamed(attribute, "OverlongPrompts", out int overlong)
                    ? overlong switch { 0 => "Error", 1 => "Skip", 2 => "TruncateLeft", _ => overlong.ToString(CultureInfo.InvariantCulture) }
                    : d.OverlongPrompts,
                DecodeRows: ReadInt(attribute, Name, "DecodeRows", d.DecodeRows));
        }

        private WarmupSpec ReadWarmup(AttributeData attribute, string demonstration)
        {
            var d = WarmupSpec.Defaults(demonstration);
            const string Name = "SftWarmup";
            return new WarmupSpec(
                demonstration,
                MaxSteps: ReadInt(attribute, Name, "MaxSteps", d.MaxSteps),
                BatchSize: ReadInt(attribute, Name, "BatchSize", d.BatchSize),
                LearningRate: ReadDouble(attribute, Name, "LearningRate", d.LearningRate),
                TargetAccuracy: ReadDouble(attribute, Name, "TargetAccuracy", d.TargetAccuracy),
                EvalEvery: ReadInt(attribute, Name, "EvalEvery", d.EvalEvery),
                ValidationSize: ReadInt(attribute, Name, "ValidationSize", d.ValidationSize),
                WarmupSteps: ReadInt(attribute, Name, "WarmupSteps", d.WarmupSteps),
                MinLearningRateRatio: ReadDouble(attribute, Name, "MinLearningRateRatio", d.MinLearningRateRatio));
        }

        // ---- Sources, evaluation, prompt and demonstration -----------------------------------------

        /// <summary>T when the method returns IEnumerable&lt;T&gt;, else null.</summary>
        private ITypeSymbol? ElementType(IMethodSymbol method) =>
            method.ReturnType is INamedTypeSymbol { IsGenericType: true } named && KnownTypes.Is(named.OriginalDefinition, _types.EnumerableOfT)
                ? named.TypeArguments[0]
                : null;

        /// <summary><c>static IEnumerable&lt;TRecord&gt; Name(Random rng)</c>, non-generic.</summary>
        private void CheckSourceSignature(string role, IMethodSymbol method, string recordName)
        {
            var syntax = Syntax(method);
            string expected = ": declare it as static IEnumerable<" + recordName + "> " + method.Name + "(Random rng)";
            if (method.IsGenericMethod)
                Report(DiagnosticDescriptors.InvalidSignature, (syntax?.TypeParameterList ?? (SyntaxNode?)syntax)?.GetLocation(), role, method.Name, "is generic" + expected);
            else if (!method.IsStatic)
                Report(DiagnosticDescriptors.InvalidSignature, IdentifierLocation(method), role, method.Name, "is not static" + expected);
            else if (method.Parameters.Length != 1 || !KnownTypes.Is(method.Parameters[0].Type, _types.Random) || method.Parameters[0].RefKind != RefKind.None)
                Report(DiagnosticDescriptors.InvalidSignature, syntax?.ParameterList.GetLocation() ?? IdentifierLocation(method), role, method.Name, "takes " + ParameterList(method) + expected);
            else if (ElementType(method) is null)
                Report(DiagnosticDescriptors.InvalidSignature, ReturnTypeLocation(method), role, method.Name, "returns " + Display(method.ReturnType) + expected);
        }

        private void CheckRecordType(string role, IMethodSymbol method, ITypeSymbol? recordType, IMethodSymbol? recordSource)
        {
            var element = ElementType(method);
            if (element is null || recordType is null || recordSource is null || SymbolEqualityComparer.Default.Equals(element, recordType)) return;
            Report(DiagnosticDescriptors.RecordTypeMismatch, ReturnTypeLocation(method), role, method.Name, Display(element), recordSource.Name, Display(recordType));
        }

        private EvaluationSpec ParseEvaluation(
            List<(IMethodSymbol Method, AttributeData Attribute)> evalSources, ITypeSymbol? recordType, IMethodSymbol? recordSource, string recordName, Location classLocation)
        {
            if (evalSources.Count == 0)
            {
                Report(DiagnosticDescriptors.NoEvalSource, classLocation, _pipeline.Name);
                return new EvaluationSpec(null, EvaluationSpec.DefaultCount);
            }

            var (method, attribute) = evalSources[0];
            foreach (var extra in evalSources.Skip(1))
                Report(DiagnosticDescriptors.DuplicateRole, IdentifierLocation(extra.Method), "EvalSource", extra.Method.Name, method.Name);
            CheckSourceSignature("EvalSource", method, recordName);
            CheckRecordType("EvalSource", method, recordType, recordSource);
            return new EvaluationSpec(method.Name, ReadInt(attribute, "EvalSource", "Count", EvaluationSpec.DefaultCount));
        }

        /// <summary>
        /// A [Prompt] or [Demonstration]: <c>static string Name(TRecord record)</c>, at most one; a [Prompt] may return
        /// a conversation instead (<paramref name="kind"/>).
        /// </summary>
        private string ParseRenderer(string role, List<IMethodSymbol> methods, ITypeSymbol? recordType, string recordName, out PromptKind kind)
        {
            var method = methods[0];
            foreach (var extra in methods.Skip(1))
                Report(DiagnosticDescriptors.DuplicateRole, IdentifierLocation(extra), role, extra.Name, method.Name);

            var syntax = Syntax(method);
            string expected = ": declare it as static string " + method.Name + "(" + recordName + " record)" + (role == "Prompt" ? PromptConversationHint : string.Empty);
            kind = role == "Prompt" ? PromptKindOf(method.ReturnType) ?? PromptKind.Text : PromptKind.Text;
            bool takesRecord = method.Parameters.Length == 1
                && method.Parameters[0].RefKind is RefKind.None or RefKind.In
                && (recordType is null || SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, recordType));
            if (method.IsGenericMethod)
                Report(DiagnosticDescriptors.InvalidSignature, (syntax?.TypeParameterList ?? (SyntaxNode?)syntax)?.GetLocation(), role, method.Name, "is generic" + expected);
            else if (!method.IsStatic)
                Report(DiagnosticDescriptors.InvalidSignature, IdentifierLocation(method), role, method.Name, "is not static" + expected);
            else if (!takesRecord)
                Report(DiagnosticDescriptors.InvalidSignature, syntax?.ParameterList.GetLocation() ?? IdentifierLocation(method), role, method.Name, "takes " + ParameterList(method) + expected);
            else if (method.ReturnType.SpecialType != SpecialType.System_String && (role != "Prompt" || PromptKindOf(method.ReturnType) is null))
                Report(DiagnosticDescriptors.InvalidSignature, ReturnTypeLocation(method), role, method.Name, "returns " + Display(method.ReturnType) + expected);
            return method.Name;
        }

        // ---- Rewards --------------------------------------------------------------------------------

        private List<RewardSpec> ParseRewards(List<(IMethodSymbol Method, AttributeData Attribute)> rewards, ITypeSymbol? recordType)
        {
            var members = recordType is null ? new List<ISymbol>() : RecordMembers(recordType);
            var specs = new List<RewardSpec>();
            IMethodSymbol? accuracy = null;
            foreach (var (method, attribute) in rewards)
            {
                if (method.IsGenericMethod)
                {
                    Report(DiagnosticDescriptors.InvalidSignature, (Syntax(method)?.TypeParameterList ?? (SyntaxNode?)Syntax(method))?.GetLocation(), "Reward", method.Name,
                        "is generic: a reward's parameters are bound to the record's members, so it cannot have type parameters");
                }

                var returns = ReturnKind(method.ReturnType);
                if (returns == RewardReturnKind.Unsupported)
                    Report(DiagnosticDescriptors.RewardReturnType, ReturnTypeLocation(method), method.Name, Display(method.ReturnType));

                var arguments = method.Parameters.Select(p => Bind(method, p, recordType, members)).ToEquatableArray();
                double weight = ReadWeight("Reward", method, attribute);

                bool isAccuracy = false;
                if (TryGetNamed(attribute, "Accuracy", out bool declared) && declared)
                {
                    if (accuracy is null)
                    {
                        accuracy = method;
                        isAccuracy = true;
                    }
                    else
                    {
                        Report(DiagnosticDescriptors.DuplicateAccuracyReward, NamedArgumentLocation(attribute, "Accuracy"), method.Name, accuracy.Name);
                    }
                }

                CheckDistinctName("Reward", method);
                specs.Add(new RewardSpec(method.Name, weight, isAccuracy, method.IsStatic, returns, arguments,
                    TimeoutSeconds: ReadDouble(attribute, "Reward", "TimeoutSeconds", 0)));
            }

            // When no reward declares Accuracy = true, the first one decides correctness.
            if (accuracy is null && specs.Count > 0) specs[0] = specs[0] with { IsAccuracy = true };
            return specs;
        }

        private RewardReturnKind ReturnKind(ITypeSymbol type)
        {
            if (type.SpecialType == SpecialType.System_Single) return RewardReturnKind.Single;
            if (type.SpecialType == SpecialType.System_Double) return RewardReturnKind.Double;
            if (type is INamedTypeSymbol { IsGenericType: true } named
                && KnownTypes.Is(named.OriginalDefinition, _types.ValueTaskOfT)
                && named.TypeArguments[0].SpecialType == SpecialType.System_Single)
                return RewardReturnKind.ValueTaskOfSingle;
            return RewardReturnKind.Unsupported;
        }

        /// <summary>
        /// A reward parameter receives the completion (by type), a record member (by name, in any case,
        /// of the same type), or the record itself (by type).
        /// </summary>
        private RewardArgumentSpec Bind(IMethodSymbol reward, IParameterSymbol parameter, ITypeSymbol? recordType, List<ISymbol> members)
        {
            var syntax = parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) as ParameterSyntax;
            if (parameter.RefKind is not (RefKind.None or RefKind.In))
            {
                Report(DiagnosticDescriptors.InvalidSignature, syntax?.GetLocation() ?? IdentifierLocation(reward), "Reward", reward.Name,
                    "takes '" + parameter.Name + "' by reference: reward parameters are passed by value");
                return RewardArgumentSpec.Unbound;
            }

            if (KnownTypes.Is(parameter.Type, _types.Completion)) return RewardArgumentSpec.Completion;
            if (KnownTypes.Is(parameter.Type, _types.CancellationToken)) return RewardArgumentSpec.Cancellation;
            if (recordType is null) return RewardArgumentSpec.Unbound; // no source declares the record: RFT0009 says so

            var member = FindMember(members, parameter.Name);
            if (member is not null && SymbolEqualityComparer.Default.Equals(MemberType(member), parameter.Type)) return RewardArgumentSpec.Of(member.Name);
            if (SymbolEqualityComparer.Default.Equals(parameter.Type, recordType)) return RewardArgumentSpec.Record;

            if (member is not null)
            {
                Report(DiagnosticDescriptors.RewardParameterTypeMismatch, syntax?.Type?.GetLocation() ?? syntax?.GetLocation(),
                    reward.Name, parameter.Name, Display(parameter.Type), Display(recordType), member.Name, Display(MemberType(member)));
            }
            else
            {
                Report(DiagnosticDescriptors.RewardParameterUnbound, syntax?.GetLocation() ?? IdentifierLocation(reward),
                    reward.Name, parameter.Name, Display(recordType), members.Count == 0 ? "it has none" : string.Join(", ", members.Select(m => m.Name)));
            }

            return RewardArgumentSpec.Unbound;
        }

        /// <summary>The record's readable instance properties and fields the pipeline can access, base types included.</summary>
        private List<ISymbol> RecordMembers(ITypeSymbol recordType)
        {
            var members = new List<ISymbol>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var type = recordType; type is not null; type = type.BaseType)
            {
                foreach (var member in type.GetMembers())
                {
                    bool readable = member switch
                    {
                        IPropertySymbol { IsStatic: false, IsIndexer: false, GetMethod: { } getter } => _compilation.IsSymbolAccessibleWithin(getter, _pipeline),
                        IFieldSymbol { IsStatic: false, IsImplicitlyDeclared: false } field => _compilation.IsSymbolAccessibleWithin(field, _pipeline),
                        _ => false,
                    };
                    if (readable && member.CanBeReferencedByName && seen.Add(member.Name)) members.Add(member);
                }
            }

            return members;
        }

        private static ISymbol? FindMember(List<ISymbol> members, string name) =>
            members.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal))
            ?? members.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

        private static ITypeSymbol MemberType(ISymbol member) => member is IPropertySymbol property ? property.Type : ((IFieldSymbol)member).Type;

        // ---- Weights, names and settings ------------------------------------------------------------

        private double ReadWeight(string role, IMethodSymbol method, AttributeData attribute)
        {
            if (!TryGetNamed(attribute, "Weight", out double weight)) return 1.0;
            CheckWeight(role, method.Name, weight, attribute);
            return weight;
        }

        /// <summary>
        /// A reward's weight may be 0 (tracked, not rewarded); a source's must be positive, since the mixture
        /// draws by weight and a source of weight 0 would never be drawn.
        /// </summary>
        private void CheckWeight(string role, string name, double weight, AttributeData attribute)
        {
            bool reward = role == "Reward";
            if ((reward ? OptionCatalog.RewardWeight : OptionCatalog.Weight).Accepts(weight)) return;
            Report(DiagnosticDescriptors.InvalidWeight, NamedArgumentLocation(attribute, "Weight"), role, name, Format(weight), reward
                ? "a reward's weight must be a finite number of at least 0 (Weight = 0 tracks the reward without rewarding it)"
                : "a source's weight must be a positive finite number (a source of weight 0 would never be drawn: remove it instead)");
        }

        private void CheckDistinctName(string role, IMethodSymbol method)
        {
            if (_weightedNames.TryGetValue(method.Name, out var earlier))
                Report(DiagnosticDescriptors.DuplicateName, IdentifierLocation(method), method.Name, role, earlier);
            else
                _weightedNames.Add(method.Name, role);
        }

        private int ReadInt(AttributeData attribute, string attributeName, string property, int fallback)
        {
            if (!TryGetNamed(attribute, property, out int value)) return fallback;
            CheckRange(attributeName, property, value, NamedArgumentLocation(attribute, property));
            return value;
        }

        private double ReadDouble(AttributeData attribute, string attributeName, string property, double fallback)
        {
            if (!TryGetNamed(attribute, property, out double value)) return fallback;
            CheckRange(attributeName, property, value, NamedArgumentLocation(attribute, property));
            return value;
        }

        private double ReadConstructorDouble(AttributeData attribute, string attributeName, string property)
        {
            if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not double value) return 0;
            CheckRange(attributeName, property, value, ConstructorArgumentLocation(attribute, 0));
            return value;
        }

        /// <summary>An attribute value outside the option's valid range would fail validation at start: report it here.</summary>
        private void CheckRange(string attributeName, string property, double value, Location? location)
        {
            var entry = OptionCatalog.Find(attributeName, property);
            if (entry is null || entry.Rule.Accepts(value)) return;
            if (entry.Option == "GroupSize")
                Report(DiagnosticDescriptors.GroupSizeTooSmall, location, Format(value));
            else
                Report(DiagnosticDescriptors.SettingOutOfRange, location, property, Format(value), attributeName, entry.Rule.Describe());
        }

        private static bool TryGetNamed<T>(AttributeData attribute, string name, out T value)
        {
            foreach (var argument in attribute.NamedArguments)
            {
                if (argument.Key == name && argument.Value.Kind != TypedConstantKind.Error && argument.Value.Value is T typed)
                {
                    value = typed;
                    return true;
                }
            }

            value = default!;
            return false;
        }

        // ---- Locations and display ------------------------------------------------------------------

        private MethodDeclarationSyntax? Syntax(IMethodSymbol method) =>
            method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault();

        private Location? IdentifierLocation(IMethodSymbol method) => Syntax(method)?.Identifier.GetLocation() ?? method.Locations.FirstOrDefault();

        private Location? ReturnTypeLocation(IMethodSymbol method) => Syntax(method)?.ReturnType.GetLocation() ?? IdentifierLocation(method);

        private Location? AttributeLocation(AttributeData attribute) => attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).GetLocation();

        private Location? NamedArgumentLocation(AttributeData attribute, string name)
        {
            if (attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) is AttributeSyntax { ArgumentList: { } list })
            {
                foreach (var argument in list.Arguments)
                {
                    if (argument.NameEquals?.Name.Identifier.ValueText == name) return argument.GetLocation();
                }
            }

            return AttributeLocation(attribute);
        }

        private Location? ConstructorArgumentLocation(AttributeData attribute, int index)
        {
            if (attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) is AttributeSyntax { ArgumentList: { } list })
            {
                var positional = list.Arguments.Where(a => a.NameEquals is null).ToList();
                if (index < positional.Count) return positional[index].GetLocation();
            }

            return AttributeLocation(attribute);
        }

        private static string Display(ISymbol symbol) => symbol.ToDisplayString(MessageFormat);

        private static string ParameterList(IMethodSymbol method) =>
            method.Parameters.Length == 0 ? "no parameters" : "(" + string.Join(", ", method.Parameters.Select(p => Display(p.Type) + " " + p.Name)) + ")";

        private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        private void Report(DiagnosticDescriptor descriptor, Location? location, params object?[] arguments) =>
            _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
    }
}
