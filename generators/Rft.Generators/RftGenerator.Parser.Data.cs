using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Rft.Generators.Diagnostics;
using Rft.Generators.Emit;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    internal sealed partial class Parser
    {
        private static readonly string[] LoraTargets = { "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj" };

        /// <summary>The class attributes that say where records come from and which ones a step trains on.</summary>
        private sealed class DataAttributes
        {
            public List<AttributeData> JsonlSources { get; } = new();

            public AttributeData? JsonlEvalSource { get; private set; }

            public AttributeData? Lora { get; private set; }

            public AttributeData? Curriculum { get; private set; }

            public AttributeData? PassRateFilter { get; private set; }

            public AttributeData? DynamicSampling { get; private set; }

            public AttributeData? PriorPrompt { get; private set; }

            /// <summary>Keeps the attribute when it is one of these; false otherwise.</summary>
            public bool Collect(AttributeData attribute, KnownTypes types)
            {
                var type = attribute.AttributeClass;
                if (KnownTypes.Is(type, types.JsonlSource)) JsonlSources.Add(attribute);
                else if (KnownTypes.Is(type, types.JsonlEvalSource)) JsonlEvalSource = attribute;
                else if (KnownTypes.Is(type, types.Lora)) Lora = attribute;
                else if (KnownTypes.Is(type, types.Curriculum)) Curriculum = attribute;
                else if (KnownTypes.Is(type, types.PassRateFilter)) PassRateFilter = attribute;
                else if (KnownTypes.Is(type, types.DynamicSampling)) DynamicSampling = attribute;
                else if (KnownTypes.Is(type, types.PriorPrompt)) PriorPrompt = attribute;
                else return false;
                return true;
            }

            /// <summary>The record type of the first [JsonlSource] and its name, when any.</summary>
            public (ITypeSymbol Type, string Origin)? FirstRecordType()
            {
                foreach (var attribute in JsonlSources)
                {
                    if (RecordTypeOf(attribute) is { } type) return (type, NameOf(attribute));
                }

                return null;
            }
        }

        private static ITypeSymbol? RecordTypeOf(AttributeData attribute) =>
            attribute.ConstructorArguments.Length == 2 && attribute.ConstructorArguments[1].Value is ITypeSymbol type && type.TypeKind != TypeKind.Error ? type : null;

        private static string PathOf(AttributeData attribute) =>
            attribute.ConstructorArguments.Length >= 1 && attribute.ConstructorArguments[0].Value is string path ? path : string.Empty;

        private static string NameOf(AttributeData attribute) =>
            TryGetNamed(attribute, "Name", out string? name) && !string.IsNullOrEmpty(name) ? name! : "Train";

        // ---- JSON Lines sources -----------------------------------------------------------------

        private SourceSpec? ReadJsonlSource(AttributeData attribute, ITypeSymbol? recordType, string recordOrigin)
        {
            string name = NameOf(attribute);
            var jsonl = ReadJsonl("JsonlSource", attribute, recordType, recordOrigin);
            double weight = 1.0;
            if (TryGetNamed(attribute, "Weight", out double declared))
            {
                weight = declared;
                CheckWeight("JsonlSource", name, weight, attribute);
            }

            if (!Identifiers.IsValid(name))
            {
                Report(DiagnosticDescriptors.SettingOutOfRange, NamedArgumentLocation(attribute, "Name"), "Name", "\"" + name + "\"", "JsonlSource", "a C# identifier (it names the options " + "<Name>Path and <Name>Weight)");
                return null;
            }

            if (_weightedNames.ContainsKey(name))
            {
                Report(DiagnosticDescriptors.DuplicateDataAttribute, NamedArgumentLocation(attribute, "Name") ?? AttributeLocation(attribute), name);
                return null;
            }

            _weightedNames.Add(name, "JsonlSource");
            return jsonl is null ? null : new SourceSpec(name, weight, jsonl);
        }

        private EvaluationSpec ReadJsonlEvalSource(AttributeData attribute, ITypeSymbol? recordType, string recordOrigin)
        {
            var jsonl = ReadJsonl("JsonlEvalSource", attribute, recordType, recordOrigin);
            return new EvaluationSpec(null, ReadInt(attribute, "JsonlEvalSource", "Count", EvaluationSpec.DefaultCount), jsonl);
        }

        private JsonlSpec? ReadJsonl(string role, AttributeData attribute, ITypeSymbol? recordType, string recordOrigin)
        {
            string path = PathOf(attribute);
            if (path.Trim().Length == 0) Report(DiagnosticDescriptors.EmptyPath, ConstructorArgumentLocation(attribute, 0), role);
            var type = RecordTypeOf(attribute);
            if (type is null) return null; // typeof(missing type): the compiler reports it
            var typeLocation = ConstructorArgumentLocation(attribute, 1);
            if (recordType is not null && !SymbolEqualityComparer.Default.Equals(type, recordType))
                Report(DiagnosticDescriptors.RecordTypeMismatch, typeLocation, role, role == "JsonlSource" ? NameOf(attribute) : "the file", Display(type), recordOrigin, Display(recordType));
            else
                CheckBindable(role, type, typeLocation);

            string? context = null;
            if (TryGetNamed(attribute, "JsonContext", out ITypeSymbol? contextType) && contextType is not null)
            {
                context = contextType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                CheckJsonContext(role, attribute, contextType, type);
            }

            string onError = TryGetNamed(attribute, "OnError", out int policy) && policy == 1 ? "Skip" : "Stop";
            bool shuffle = !TryGetNamed(attribute, "Shuffle", out bool declaredShuffle) || declaredShuffle;
            bool withReplacement = TryGetNamed(attribute, "WithReplacement", out bool replacement) && replacement;
            return new JsonlSpec(path, onError, shuffle, context, withReplacement);
        }

        /// <summary>
        /// What System.Text.Json needs to bind an object: a concrete class or struct with a public parameterless
        /// constructor or a single public constructor (or one marked [JsonConstructor]) whose parameters each name
        /// a property, and members of types JSON can hold.
        /// </summary>
        private void CheckBindable(string role, ITypeSymbol type, Location? location)
        {
            string? problem = null;
            if (type is not INamedTypeSymbol named || type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
                problem = "it is not a class, record or struct";
            else if (named.IsAbstract)
                problem = "it is abstract";
            else if (named.IsGenericType && named.TypeArguments.Any(t => t.TypeKind == TypeKind.TypeParameter))
                problem = "it is an open generic type";
            else if (named.IsRefLikeType)
                problem = "it is a ref struct";
            else
                problem = ConstructorProblem(named) ?? MemberProblem(named);
            if (problem is not null) Report(DiagnosticDescriptors.RecordNotBindable, location, role, Display(type), problem);
        }

        private string? ConstructorProblem(INamedTypeSymbol type)
        {
            var constructors = type.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public && !IsCopyConstructor(c, type)).ToList();
            var marked = constructors.Where(c => c.GetAttributes().Any(a => a.AttributeClass?.Name == "JsonConstructorAttribute")).ToList();
            IMethodSymbol? chosen = marked.Count == 1 ? marked[0]
                : constructors.FirstOrDefault(c => c.Parameters.Length == 0) ?? (constructors.Count == 1 ? constructors[0] : null);
            if (chosen is null)
            {
                return constructors.Count == 0
                    ? "it has no public constructor"
                    : "it has " + constructors.Count + " public constructors and none without parameters: mark one [JsonConstructor]";
            }

            var members = RecordMembers(type);
            foreach (var parameter in chosen.Parameters)
            {
                var member = members.FirstOrDefault(m => string.Equals(m.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
                if (member is null)
                    return "constructor parameter '" + parameter.Name + "' matches no public property (System.Text.Json binds each parameter to the property of the same name)";
                if (!SymbolEqualityComparer.Default.Equals(MemberType(member), parameter.Type))
                    return "constructor parameter '" + parameter.Name + "' is " + Display(parameter.Type) + " but property " + member.Name + " is " + Display(MemberType(member));
            }

            return null;
        }

        private static bool IsCopyConstructor(IMethodSymbol constructor, INamedTypeSymbol type) =>
            constructor.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, type);

        private string? MemberProblem(INamedTypeSymbol type)
        {
            foreach (var member in RecordMembers(type))
            {
                var memberType = MemberType(member);
                string? why = memberType switch
                {
                    { TypeKind: TypeKind.Delegate } => "a delegate",
                    { TypeKind: TypeKind.Pointer or TypeKind.FunctionPointer } => "a pointer",
                    { IsRefLikeType: true } => "a ref struct",
                    { TypeKind: TypeKind.Interface } when !IsCollectionInterface(memberType) => "an interface that is not a collection",
                    _ => null,
                };
                if (why is not null) return "member " + member.Name + " is " + Display(memberType) + ", " + why + " JSON cannot hold";
            }

            return null;
        }

        private static bool IsCollectionInterface(ITypeSymbol type) =>
            type is INamedTypeSymbol named && (named.OriginalDefinition.SpecialType is SpecialType.System_Collections_Generic_IEnumerable_T
                or SpecialType.System_Collections_Generic_IList_T or SpecialType.System_Collections_Generic_ICollection_T
                or SpecialType.System_Collections_Generic_IReadOnlyList_T or SpecialType.System_Collections_Generic_IReadOnlyCollection_T
                || named.OriginalDefinition.Name is "IDictionary" or "IReadOnlyDictionary" or "ISet" or "IReadOnlySet");

        private void CheckJsonContext(string role, AttributeData attribute, ITypeSymbol context, ITypeSymbol record)
        {
            var location = NamedArgumentLocation(attribute, "JsonContext");
            bool derives = false;
            for (var type = context.BaseType; type is not null; type = type.BaseType)
                derives |= KnownTypes.Is(type, _types.JsonSerializerContext);
            bool serializes = context.GetAttributes().Any(a =>
                KnownTypes.Is(a.AttributeClass, _types.JsonSerializable)
                && a.ConstructorArguments.Length == 1
                && a.ConstructorArguments[0].Value is ITypeSymbol serialized
                && SymbolEqualityComparer.Default.Equals(serialized, record));
            if (!derives)
                Report(DiagnosticDescriptors.JsonContextMissingType, location, role, Display(context), "does not derive from JsonSerializerContext", Display(record));
            else if (!serializes)
                Report(DiagnosticDescriptors.JsonContextMissingType, location, role, Display(context), "has no [JsonSerializable(typeof(" + Display(record) + "))]", Display(record));
        }

        // ---- LoRA -------------------------------------------------------------------------------

        private LoraSpec ReadLora(AttributeData attribute)
        {
            const string Name = "Lora";
            string targets = TryGetNamed(attribute, "Targets", out string? declared) && declared is not null
                ? declared
                : string.Join(",", LoraTargets);
            var names = targets.Split(',').Select(t => t.Trim()).ToList();
            var unknown = names.FirstOrDefault(n => !LoraTargets.Contains(n));
            if (unknown is not null)
                Report(DiagnosticDescriptors.UnknownLoraTarget, NamedArgumentLocation(attribute, "Targets"), targets, unknown);
            return new LoraSpec(
                Enabled: !TryGetNamed(attribute, "Enabled", out bool enabled) || enabled,
                Rank: ReadInt(attribute, Name, "Rank", 8),
                Alpha: ReadDouble(attribute, Name, "Alpha", 16),
                Targets: string.Join(",", names),
                Dropout: ReadDouble(attribute, Name, "Dropout", 0),
                WarmUp: TryGetNamed(attribute, "WarmUp", out bool warmUp) && warmUp);
        }

        // ---- Curriculum, filter, dynamic sampling, prior prompt ---------------------------------

        private DataSpec ReadData(DataAttributes data, ITypeSymbol? recordType)
        {
            CurriculumSpec? curriculum = null;
            if (data.Curriculum is { } c && c.ConstructorArguments.Length == 1 && c.ConstructorArguments[0].Value is int kindValue)
            {
                const string Name = "Curriculum";
                string kind = kindValue switch { 0 => "Uniform", 1 => "Staged", 2 => "SelfEvolving", _ => "Uniform" };
                string key = string.Empty, keyExpression = string.Empty, keyEnum = string.Empty;
                if (kind != "Uniform")
                {
                    string purpose = kind == "Staged" ? "stages, in ascending order" : "categories (the bandit's arms)";
                    if (!TryGetNamed(c, "Key", out string? declared) || string.IsNullOrEmpty(declared))
                        Report(DiagnosticDescriptors.KeyRequired, AttributeLocation(c), "Curriculum(CurriculumKind." + kind + ")", purpose);
                    else if (recordType is not null && ReadCurriculumKey(kind, c, declared!, recordType) is { } bound)
                        (key, keyExpression, keyEnum) = bound;
                }

                curriculum = new CurriculumSpec(
                    kind, key, keyExpression, keyEnum,
                    Threshold: ReadDouble(c, Name, "Threshold", 0.8),
                    Window: ReadInt(c, Name, "Window", 64),
                    Alpha: ReadDouble(c, Name, "Alpha", 0.5),
                    Temperature: ReadDouble(c, Name, "Temperature", 0.2));
            }

            PassRateFilterSpec? filter = null;
            if (data.PassRateFilter is { } f)
            {
                const string Name = "PassRateFilter";
                string key = string.Empty, keyExpression = "r.ToString()";
                if (TryGetNamed(f, "Key", out string? declared) && !string.IsNullOrEmpty(declared) && recordType is not null)
                {
                    var member = FindMember(RecordMembers(recordType), declared!);
                    if (member is null)
                    {
                        ReportMissingKey(Name, f, declared!, recordType);
                    }
                    else
                    {
                        key = member.Name;
                        var type = MemberType(member);
                        keyExpression = type.SpecialType == SpecialType.System_String
                            ? "r." + Identifiers.Escape(member.Name) + " ?? string.Empty"
                            : "global::System.Convert.ToString(r." + Identifiers.Escape(member.Name) + ", global::System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty";
                    }
                }
                else if (recordType is not null)
                {
                    Report(DiagnosticDescriptors.KeyRequired, AttributeLocation(f), Name, "problem identities (a question or id field)");
                }

                filter = new PassRateFilterSpec(key, keyExpression,
                    Window: ReadInt(f, Name, "Window", 4),
                    MinAttempts: ReadInt(f, Name, "MinAttempts", 2),
                    MaxSkipsPerDraw: ReadInt(f, Name, "MaxSkipsPerDraw", 64));
            }

            int? dynamicRounds = data.DynamicSampling is { } d ? ReadInt(d, "DynamicSampling", "MaxExtraRounds", 3) : null;
            if (data.DynamicSampling is { } dynamic && (curriculum is not null || filter is not null))
                Report(DiagnosticDescriptors.DynamicSamplingWithCurriculum, AttributeLocation(dynamic), curriculum is not null ? "Curriculum" : "PassRateFilter");

            PriorPromptSpec? prior = null;
            if (data.PriorPrompt is { } p)
            {
                string text = p.ConstructorArguments.Length == 1 && p.ConstructorArguments[0].Value is string t ? t : string.Empty;
                prior = new PriorPromptSpec(text, TryGetNamed(p, "AtEvaluation", out bool atEvaluation) && atEvaluation);
            }

            return new DataSpec(curriculum, filter, dynamicRounds, prior);
        }

        /// <summary>
        /// An int, enum or bool member of the record (any curriculum) or a string member (SelfEvolving only), C# turning
        /// a record <c>r</c> into its CurriculumKey, and the enum type whose member names name the metrics.
        /// </summary>
        private (string Member, string Expression, string Enum)? ReadCurriculumKey(string kind, AttributeData attribute, string key, ITypeSymbol recordType)
        {
            var member = FindMember(RecordMembers(recordType), key);
            if (member is null)
            {
                ReportMissingKey("Curriculum", attribute, key, recordType);
                return null;
            }

            var type = MemberType(member);
            string access = "r." + Identifiers.Escape(member.Name);
            switch (type.SpecialType)
            {
                case SpecialType.System_Int32:
                    return (member.Name, access, string.Empty);
                case SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_UInt16:
                    return (member.Name, "(int)" + access, string.Empty);
                case SpecialType.System_Boolean:
                    return (member.Name, "(" + access + " ? 1 : 0)", string.Empty);
                case SpecialType.System_String when kind == "SelfEvolving":
                    return (member.Name, access, string.Empty); // a record whose key is null fails at its draw, saying so
            }

            if (type.TypeKind == TypeKind.Enum) return (member.Name, "(int)" + access, type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
            Report(DiagnosticDescriptors.KeyTypeUnsupported, NamedArgumentLocation(attribute, "Key"), "Curriculum", member.Name, Display(type),
                type.SpecialType == SpecialType.System_String
                    ? "a Staged curriculum orders its stages, and text would order alphabetically (\"level10\" before \"level2\"): key it on an int or an enum; string keys name the categories of a SelfEvolving curriculum"
                    : kind == "Staged"
                        ? "a Staged curriculum's key must be an int (or smaller integer), an enum or a bool, whose values order the stages"
                        : "a curriculum key must be an int (or smaller integer), an enum, a bool or a string, whose values name the categories");
            return null;
        }

        private void ReportMissingKey(string role, AttributeData attribute, string key, ITypeSymbol recordType)
        {
            var members = RecordMembers(recordType);
            Report(DiagnosticDescriptors.KeyNotAMember, NamedArgumentLocation(attribute, "Key"), role, key, Display(recordType),
                members.Count == 0 ? "it has none" : string.Join(", ", members.Select(m => m.Name)));
        }
    }
}
