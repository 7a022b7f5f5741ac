using Microsoft.CodeAnalysis;

namespace Rft.Generators;

/// <summary>The Dsl and framework types the parser compares symbols against, looked up once per parse.</summary>
internal sealed class KnownTypes
{
    public KnownTypes(Compilation compilation)
    {
        Policy = compilation.GetTypeByMetadataName("Rft.PolicyAttribute");
        Training = compilation.GetTypeByMetadataName("Rft.TrainingAttribute");
        Grpo = compilation.GetTypeByMetadataName("Rft.GrpoAttribute");
        Rollout = compilation.GetTypeByMetadataName("Rft.RolloutAttribute");
        SftWarmup = compilation.GetTypeByMetadataName("Rft.SftWarmupAttribute");
        KlPenalty = compilation.GetTypeByMetadataName("Rft.KlPenaltyAttribute");
        EntropyBonus = compilation.GetTypeByMetadataName("Rft.EntropyBonusAttribute");
        Source = compilation.GetTypeByMetadataName("Rft.SourceAttribute");
        EvalSource = compilation.GetTypeByMetadataName("Rft.EvalSourceAttribute");
        Prompt = compilation.GetTypeByMetadataName("Rft.PromptAttribute");
        Demonstration = compilation.GetTypeByMetadataName("Rft.DemonstrationAttribute");
        Reward = compilation.GetTypeByMetadataName("Rft.RewardAttribute");
        Completion = compilation.GetTypeByMetadataName("Rft.Completion");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        Lora = compilation.GetTypeByMetadataName("Rft.LoraAttribute");
        JsonlSource = compilation.GetTypeByMetadataName("Rft.JsonlSourceAttribute");
        JsonlEvalSource = compilation.GetTypeByMetadataName("Rft.JsonlEvalSourceAttribute");
        Curriculum = compilation.GetTypeByMetadataName("Rft.CurriculumAttribute");
        PassRateFilter = compilation.GetTypeByMetadataName("Rft.PassRateFilterAttribute");
        DynamicSampling = compilation.GetTypeByMetadataName("Rft.DynamicSamplingAttribute");
        PriorPrompt = compilation.GetTypeByMetadataName("Rft.PriorPromptAttribute");
        JsonSerializerContext = compilation.GetTypeByMetadataName("System.Text.Json.Serialization.JsonSerializerContext");
        JsonArray = compilation.GetTypeByMetadataName("System.Text.Json.Nodes.JsonArray");
        ChatMessage = compilation.GetTypeByMetadataName("Rft.Text.ChatMessage");
        JsonSerializable = compilation.GetTypeByMetadataName("System.Text.Json.Serialization.JsonSerializableAttribute");
        KlEstimator = compilation.GetTypeByMetadataName("Rft.KlEstimator");
        Random = compilation.GetTypeByMetadataName("System.Random");
        EnumerableOfT = compilation.GetSpecialType(SpecialType.System_Collections_Generic_IEnumerable_T);
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
    }

    public INamedTypeSymbol? Policy { get; }
    public INamedTypeSymbol? Training { get; }
    public INamedTypeSymbol? Grpo { get; }
    public INamedTypeSymbol? Rollout { get; }
    public INamedTypeSymbol? SftWarmup { get; }
    public INamedTypeSymbol? KlPenalty { get; }
    public INamedTypeSymbol? EntropyBonus { get; }
    public INamedTypeSymbol? Source { get; }
    public INamedTypeSymbol? EvalSource { get; }
    public INamedTypeSymbol? Prompt { get; }
    public INamedTypeSymbol? Demonstration { get; }
    public INamedTypeSymbol? Reward { get; }
    public INamedTypeSymbol? Completion { get; }

    public INamedTypeSymbol? CancellationToken { get; }
    public INamedTypeSymbol? Lora { get; }
    public INamedTypeSymbol? JsonlSource { get; }
    public INamedTypeSymbol? JsonlEvalSource { get; }
    public INamedTypeSymbol? Curriculum { get; }
    public INamedTypeSymbol? PassRateFilter { get; }
    public INamedTypeSymbol? DynamicSampling { get; }
    public INamedTypeSymbol? PriorPrompt { get; }
    public INamedTypeSymbol? JsonSerializerContext { get; }
    public INamedTypeSymbol? JsonArray { get; }
    public INamedTypeSymbol? ChatMessage { get; }
    public INamedTypeSymbol? JsonSerializable { get; }
    public INamedTypeSymbol? KlEstimator { get; }
    public INamedTypeSymbol? Random { get; }
    public INamedTypeSymbol? EnumerableOfT { get; }
    public INamedTypeSymbol? ValueTaskOfT { get; }

    /// <summary>Same symbol, nullability ignored; false when the known type is missing.</summary>
    public static bool Is(ITypeSymbol? symbol, INamedTypeSymbol? known) =>
        symbol is not null && known is not null && SymbolEqualityComparer.Default.Equals(symbol, known);
}
