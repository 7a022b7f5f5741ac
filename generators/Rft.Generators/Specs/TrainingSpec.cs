namespace Rft.Generators.Specs;

/// <summary>[Training]: optimisation of the RL phase.</summary>
internal sealed record TrainingSpec(
    int Steps,
    double LearningRate,
    int WarmupSteps,
    double MinLearningRateRatio,
    double WeightDecay,
    double MaxGradNorm,
    int Seed,
    int LogEvery,
    int EvalEvery,
    int CheckpointEvery,
    int KeepCheckpoints)
{
    /// <summary>The attribute's defaults, used when [Training] is absent or leaves a property unset.</summary>
    public static TrainingSpec Default { get; } = new(
        Steps: 100, LearningRate: 3e-5, WarmupSteps: 5, MinLearningRateRatio: 0.1, WeightDecay: 0.0,
        MaxGradNorm: 1.0, Seed: 1234, LogEvery: 10, EvalEvery: 0, CheckpointEvery: 100, KeepCheckpoints: 3);
}
