using Microsoft.CodeAnalysis;

namespace Rft.Generators.Diagnostics;

/// <summary>Diagnostics of data sources, curricula and the policy's model (RFT0050–RFT0069).</summary>
internal static partial class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor RecordNotBindable = Error(
        "RFT0050",
        "Record type cannot be bound from JSON",
        "[{0}] binds lines to {1}, which cannot be bound from JSON: {2}");

    public static readonly DiagnosticDescriptor KeyNotAMember = Error(
        "RFT0051",
        "Key names no member of the record",
        "[{0}] Key = \"{1}\" names no member of {2} ({3}): name a property or field of the record");

    public static readonly DiagnosticDescriptor KeyTypeUnsupported = Error(
        "RFT0052",
        "Key member has an unsupported type",
        "[{0}] Key '{1}' is {2}: {3}");

    public static readonly DiagnosticDescriptor KeyRequired = Error(
        "RFT0053",
        "Curriculum needs a key",
        "[{0}] needs Key = \"<member>\": the record member whose values are its {1}");

    public static readonly DiagnosticDescriptor UnknownLoraTarget = Error(
        "RFT0054",
        "Unknown LoRA target",
        "[Lora] Targets = \"{0}\": '{1}' is not a projection of the model; valid targets are q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj (comma-separated)");

    public static readonly DiagnosticDescriptor EmptyPath = Error(
        "RFT0055",
        "JSON Lines path is empty",
        "[{0}] has an empty path: give the file's path (relative to the working directory, or absolute)");

    public static readonly DiagnosticDescriptor JsonContextMissingType = Error(
        "RFT0056",
        "JsonContext does not serialize the record",
        "[{0}] JsonContext = typeof({1}) {2}: declare a partial class deriving from JsonSerializerContext with [JsonSerializable(typeof({3}))], or remove JsonContext to bind by reflection");

    public static readonly DiagnosticDescriptor DuplicateDataAttribute = Error(
        "RFT0057",
        "Source names must be distinct",
        "[JsonlSource] Name = \"{0}\" is already the name of a source: each source gets its own options {0}Path and {0}Weight");

    public static readonly DiagnosticDescriptor DynamicSamplingWithCurriculum = Error(
        "RFT0058",
        "[DynamicSampling] cannot be combined with a curriculum yet",
        "[DynamicSampling] draws extra prompts straight from the mixture, so it cannot be combined with [{0}]: remove one of them");

    private static readonly DiagnosticDescriptor[] DataDescriptors =
    {
        RecordNotBindable, KeyNotAMember, KeyTypeUnsupported, KeyRequired, UnknownLoraTarget, EmptyPath,
        JsonContextMissingType, DuplicateDataAttribute, DynamicSamplingWithCurriculum,
    };
}
