using Rft.Generators.Infrastructure;

namespace Rft.Generators.Specs;

/// <summary>A [Reward] method and how each of its parameters is bound.</summary>
/// <param name="IsAccuracy">This reward decides correctness: declared with Accuracy = true, or the first reward when none is.</param>
/// <param name="IsStatic">False for an instance method, called on the pipeline instance resolved from DI.</param>
internal sealed record RewardSpec(
    string Method,
    double Weight,
    bool IsAccuracy,
    bool IsStatic,
    RewardReturnKind Returns,
    EquatableArray<RewardArgumentSpec> Arguments,
    double TimeoutSeconds = 0);
