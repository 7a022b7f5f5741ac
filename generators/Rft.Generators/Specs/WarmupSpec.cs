namespace Rft.Generators.Specs;

/// <summary>The supervised warm-up on the [Demonstration] targets, with [SftWarmup]'s settings.</summary>
/// <param name="Demonstration">The [Demonstration] method.</param>
internal sealed record WarmupSpec(
    string Demonstration,
    int MaxSteps,
    int BatchSize,
    double LearningRate,
    double TargetAccuracy,
    int EvalEvery,
    int ValidationSize,
    int WarmupSteps,
    double MinLearningRateRatio)
{
    /// <summary>[SftWarmup]'s defaults, used when only a [Demonstration] is declared.</summary>
    public static WarmupSpec Defaults(string demonstration) => new(
        demonstration, MaxSteps: 2000, BatchSize: 64, LearningRate: 1e-3, TargetAccuracy: 0.3, EvalEvery: 100, ValidationSize: 200,
        WarmupSteps: 20, MinLearningRateRatio: 0.1);
}
