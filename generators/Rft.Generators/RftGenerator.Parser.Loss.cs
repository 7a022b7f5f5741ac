using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Rft.Generators.Diagnostics;
using Rft.Generators.Infrastructure;
using Rft.Generators.Options;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    internal sealed partial class Parser
    {
        private static readonly string[] EstimatorNames = { "Grpo", "Rloo", "ReinforcePlusPlus", "Gae" };

        private static readonly string[] PolicyLossNames = { "ClippedSurrogate", "Gspo", "Topr" };

        /// <summary>
        /// The loss composition: the advantage estimator, the policy loss, the aggregation, the optional
        /// terms and the user's [LossTerm] methods, with a diagnostic for every impossible combination.
        /// </summary>
        /// <param name="demonstration">The [Demonstration] method, or null when none is declared.</param>
        private LossSpec ParseLoss(string? demonstration, string recordName)
        {
            var advantage = AdvantageSpec.Default;
            AttributeData? estimator = null, policyLossAttribute = null, valueHeadAttribute = null, aggregationAttribute = null, sftTermAttribute = null;
            PolicyLossSpec? policyLoss = null;
            KlPenaltySpec? klPenalty = null;
            EntropyBonusSpec? entropyBonus = null;
            string aggregation = "TokenMean";
            foreach (var attribute in _pipeline.GetAttributes())
            {
                string? name = RftAttributeName(attribute);
                if (name is null) continue;
                if (EstimatorNames.Contains(name))
                {
                    if (estimator is null)
                    {
                        estimator = attribute;
                        advantage = ReadEstimator(attribute, name);
                    }
                    else
                    {
                        Report(DiagnosticDescriptors.DuplicateAdvantageEstimator, AttributeLocation(attribute), name, RftAttributeName(estimator));
                    }
                }
                else if (PolicyLossNames.Contains(name))
                {
                    if (policyLossAttribute is null)
                    {
                        policyLossAttribute = attribute;
                        policyLoss = ReadPolicyLoss(attribute, name);
                    }
                    else
                    {
                        Report(DiagnosticDescriptors.DuplicatePolicyLoss, AttributeLocation(attribute), name, RftAttributeName(policyLossAttribute));
                    }
                }
                else if (name == "KlPenalty") klPenalty = ReadKlPenalty(attribute);
                else if (name == "EntropyBonus") entropyBonus = new EntropyBonusSpec(ReadConstructorDouble(attribute, "EntropyBonus", "Coefficient"));
                else if (name == "ValueHead") valueHeadAttribute = attribute;
                else if (name == "SftTerm") sftTermAttribute = attribute;
                else if (name == "Aggregation")
                {
                    aggregationAttribute = attribute;
                    if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int mode)
                        aggregation = EnumMemberName("Rft.AggregationMode", mode);
                }
            }

            // The policy loss: the declared one, else the clipped surrogate with [Grpo]'s clip range.
            if (policyLoss is null)
            {
                policyLoss = PolicyLossSpec.Default(advantage);
            }
            else if (estimator is not null && RftAttributeName(estimator) == "Grpo")
            {
                string lossName = RftAttributeName(policyLossAttribute!)!;
                foreach (var property in new[] { "ClipLow", "ClipHigh" })
                {
                    if (!estimator.NamedArguments.Any(a => a.Key == property)) continue;
                    string valid = policyLoss.Kind == PolicyLossKind.Topr
                        ? "remove it: [Topr] truncates importance weights instead of clipping them"
                        : "set " + property + " on [" + lossName + "] instead";
                    Report(DiagnosticDescriptors.ConflictingClipRange, NamedArgumentLocation(estimator, property), property, lossName, valid);
                }
            }

            if (policyLoss.Kind == PolicyLossKind.Gspo && aggregationAttribute is not null)
                Report(DiagnosticDescriptors.AggregationIgnoredByGspo, AttributeLocation(aggregationAttribute), aggregation);

            // The value head exists for [Gae] only, which cannot do without it.
            ValueHeadSpec? valueHead = null;
            if (advantage.Kind == AdvantageEstimatorKind.Gae)
            {
                if (valueHeadAttribute is null) Report(DiagnosticDescriptors.GaeWithoutValueHead, AttributeLocation(estimator!), _pipeline.Name);
                else valueHead = ReadValueHead(valueHeadAttribute);
            }
            else if (valueHeadAttribute is not null)
            {
                ReadValueHead(valueHeadAttribute); // still range-checked
                Report(DiagnosticDescriptors.ValueHeadWithoutGae, AttributeLocation(valueHeadAttribute), _pipeline.Name, advantage.AttributeName);
            }

            SftTermSpec? sftTerm = null;
            if (sftTermAttribute is not null)
            {
                var read = ReadSftTerm(sftTermAttribute, demonstration ?? string.Empty);
                if (demonstration is null) Report(DiagnosticDescriptors.SftTermWithoutDemonstration, AttributeLocation(sftTermAttribute), _pipeline.Name, recordName);
                else sftTerm = read;
            }

            var terms = new List<LossTermSpec>();
            foreach (var member in _pipeline.GetMembers())
            {
                _cancellationToken.ThrowIfCancellationRequested();
                if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method) continue;
                var attribute = method.GetAttributes().FirstOrDefault(a => RftAttributeName(a) == "LossTerm");
                if (attribute is null) continue;
                var term = ParseLossTerm(method, attribute, valuesAvailable: valueHead is not null);
                if (term is not null) terms.Add(term);
            }

            return new LossSpec(advantage, policyLoss, aggregation, klPenalty, entropyBonus, valueHead, sftTerm, terms.ToEquatableArray());
        }

        private AdvantageSpec ReadEstimator(AttributeData attribute, string name)
        {
            var d = AdvantageSpec.Default;
            var kind = name switch
            {
                "Rloo" => AdvantageEstimatorKind.Rloo,
                "ReinforcePlusPlus" => AdvantageEstimatorKind.ReinforcePlusPlus,
                "Gae" => AdvantageEstimatorKind.Gae,
                _ => AdvantageEstimatorKind.Grpo,
            };
            return new AdvantageSpec(
                kind,
                GroupSize: ReadInt(attribute, name, "GroupSize", d.GroupSize),
                PromptsPerStep: ReadInt(attribute, name, "PromptsPerStep", d.PromptsPerStep),
                ScaleByStd: TryGetNamed(attribute, "ScaleByStd", out bool scale) ? scale : d.ScaleByStd,
                Epsilon: ReadDouble(attribute, name, "Epsilon", d.Epsilon),
                Gamma: ReadDouble(attribute, name, "Gamma", d.Gamma),
                Lambda: ReadDouble(attribute, name, "Lambda", d.Lambda),
                GroupBaseline: TryGetNamed(attribute, "GroupBaseline", out bool baseline) && baseline,
                ClipLow: ReadDouble(attribute, name, "ClipLow", d.ClipLow),
                ClipHigh: ReadDouble(attribute, name, "ClipHigh", d.ClipHigh));
        }

        private PolicyLossSpec ReadPolicyLoss(AttributeData attribute, string name) => name switch
        {
            "Gspo" => new PolicyLossSpec(PolicyLossKind.Gspo, IsDeclared: true,
                ReadDouble(attribute, name, "ClipLow", 3e-4), ReadDouble(attribute, name, "ClipHigh", 4e-4), ClipRatioC: 3.0, Threshold: 0.0),
            "Topr" => new PolicyLossSpec(PolicyLossKind.Topr, IsDeclared: true,
                ClipLow: 0.2, ClipHigh: 0.2, ClipRatioC: 3.0, Threshold: TryGetNamed(attribute, "Threshold", out double threshold) ? threshold : 0.0),
            _ => new PolicyLossSpec(PolicyLossKind.ClippedSurrogate, IsDeclared: true,
                ReadDouble(attribute, name, "ClipLow", 0.2), ReadDouble(attribute, name, "ClipHigh", 0.2), ReadDouble(attribute, name, "ClipRatioC", 3.0), Threshold: 0.0),
        };

        private KlPenaltySpec ReadKlPenalty(AttributeData attribute)
        {
            double beta = ReadConstructorDouble(attribute, "KlPenalty", "Beta");
            string estimator = TryGetNamed(attribute, "Estimator", out int value) ? EnumMemberName("Rft.KlEstimator", value) : "K3";
            string placement = TryGetNamed(attribute, "Placement", out int where) ? EnumMemberName("Rft.KlPlacement", where) : "InLoss";
            return new KlPenaltySpec(beta, estimator, placement);
        }

        private ValueHeadSpec ReadValueHead(AttributeData attribute) => new(
            ReadDouble(attribute, "ValueHead", "Coefficient", 0.5),
            ReadDouble(attribute, "ValueHead", "ClipRange", 0.2),
            ReadDouble(attribute, "ValueHead", "LearningRate", 1e-3));

        private SftTermSpec ReadSftTerm(AttributeData attribute, string demonstration)
        {
            double weight = ReadConstructorDouble(attribute, "SftTerm", "Weight");
            string schedule = TryGetNamed(attribute, "Schedule", out int value) ? EnumMemberName("Rft.SftSchedule", value) : "Constant";
            var spec = new SftTermSpec(
                demonstration,
                weight,
                schedule,
                EndWeight: ReadDouble(attribute, "SftTerm", "EndWeight", 0.0),
                WarmupSteps: ReadInt(attribute, "SftTerm", "WarmupSteps", 0),
                DecaySteps: ReadInt(attribute, "SftTerm", "DecaySteps", 0),
                TokenWeight: TryGetNamed(attribute, "TokenWeight", out bool tokenWeight) && tokenWeight);
            if (spec.IsChord)
            {
                // mu mixes (1 - mu) RL + mu SFT: above 1 the RL term would change sign.
                if (weight > 1) Report(DiagnosticDescriptors.ChordWeightAboveOne, ConstructorArgumentLocation(attribute, 0), "Weight", Format(weight));
                if (spec.EndWeight > 1) Report(DiagnosticDescriptors.ChordWeightAboveOne, NamedArgumentLocation(attribute, "EndWeight"), "EndWeight", Format(spec.EndWeight));
            }

            return spec;
        }

        // ---- User loss terms --------------------------------------------------------------------------

        /// <summary>
        /// A [LossTerm] method: <c>static Tensor Name(StepView s)</c>. Which members of <c>s</c> it reads is
        /// read off its body: only direct member accesses <c>s.Member</c> count; any other use of <c>s</c>
        /// (an argument, an assignment, a capture) lets it escape, and then every member is computed.
        /// </summary>
        private LossTermSpec? ParseLossTerm(IMethodSymbol method, AttributeData attribute, bool valuesAvailable)
        {
            var syntax = Syntax(method);
            var stepView = _compilation.GetTypeByMetadataName("Rft.StepView");
            var tensor = _compilation.GetTypeByMetadataName("TorchSharp.torch+Tensor");
            bool takesView = method.Parameters.Length == 1
                && method.Parameters[0].RefKind == RefKind.None
                && KnownTypes.Is(method.Parameters[0].Type, stepView);
            if (method.IsGenericMethod)
                Report(DiagnosticDescriptors.InvalidLossTermSignature, (syntax?.TypeParameterList ?? (SyntaxNode?)syntax)?.GetLocation(), method.Name, "is generic");
            else if (!method.IsStatic)
                Report(DiagnosticDescriptors.InvalidLossTermSignature, IdentifierLocation(method), method.Name, "is not static");
            else if (!takesView)
                Report(DiagnosticDescriptors.InvalidLossTermSignature, syntax?.ParameterList.GetLocation() ?? IdentifierLocation(method), method.Name, "takes " + ParameterList(method));
            else if (!KnownTypes.Is(method.ReturnType, tensor))
                Report(DiagnosticDescriptors.InvalidLossTermSignature, ReturnTypeLocation(method), method.Name, "returns " + Display(method.ReturnType));
            else
            {
                double weight = 1.0;
                if (TryGetNamed(attribute, "Weight", out double declared))
                {
                    weight = declared;
                    if (!OptionCatalog.Weight.Accepts(weight))
                        Report(DiagnosticDescriptors.InvalidLossTermWeight, NamedArgumentLocation(attribute, "Weight"), method.Name, Format(weight));
                }

                CheckDistinctName("LossTerm", method);
                return new LossTermSpec(method.Name, weight, StepViewReads(method, syntax, valuesAvailable));
            }

            return null;
        }

        private StepQuantity StepViewReads(IMethodSymbol method, MethodDeclarationSyntax? syntax, bool valuesAvailable)
        {
            var producible = valuesAvailable ? StepQuantity.AllButValues | StepQuantity.Values | StepQuantity.Returns : StepQuantity.AllButValues;
            SyntaxNode? body = (SyntaxNode?)syntax?.Body ?? syntax?.ExpressionBody;
            if (syntax is null || body is null) return producible; // no source to read (metadata, partial without body)

            var parameter = method.Parameters[0];
            var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
            var reads = StepQuantity.None;
            bool escaped = false;
            foreach (var identifier in body.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (identifier.Identifier.ValueText != parameter.Name) continue;
                if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, _cancellationToken).Symbol, parameter)) continue;
                if (identifier.Parent is MemberAccessExpressionSyntax access && access.Expression == identifier)
                {
                    // s.Member: a quantity when Member is one of StepView's tensors (s.ToString() reads nothing).
                    if (!System.Enum.TryParse(access.Name.Identifier.ValueText, out StepQuantity quantity)
                        || quantity == StepQuantity.None || quantity == StepQuantity.AllButValues) continue;
                    if ((producible & quantity) == 0)
                    {
                        Report(DiagnosticDescriptors.StepViewMemberUnavailable, access.GetLocation(), method.Name, quantity.ToString(),
                            "values and returns come from a value head, which is built only with [Gae] and [ValueHead]; declare both");
                        continue;
                    }

                    reads |= quantity;
                }
                else if (!escaped)
                {
                    escaped = true;
                    Report(DiagnosticDescriptors.StepViewEscapes, identifier.GetLocation(), method.Name, parameter.Name);
                }
            }

            return escaped ? producible : reads;
        }

        // ---- Helpers ------------------------------------------------------------------------------------

        /// <summary>"Grpo" for <c>Rft.GrpoAttribute</c>; null for an attribute outside the Rft namespace.</summary>
        private static string? RftAttributeName(AttributeData attribute)
        {
            var type = attribute.AttributeClass;
            if (type is null || type.ContainingNamespace is not { Name: "Rft" } ns || !ns.ContainingNamespace.IsGlobalNamespace) return null;
            const string Suffix = "Attribute";
            return type.Name.EndsWith(Suffix, System.StringComparison.Ordinal) ? type.Name.Substring(0, type.Name.Length - Suffix.Length) : type.Name;
        }

        /// <summary>The member's name when the value is defined, else the number (emitted as a cast).</summary>
        private string EnumMemberName(string enumType, int value) =>
            _compilation.GetTypeByMetadataName(enumType)?.GetMembers().OfType<IFieldSymbol>()
                .FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value))?.Name
            ?? value.ToString(CultureInfo.InvariantCulture);
    }
}
