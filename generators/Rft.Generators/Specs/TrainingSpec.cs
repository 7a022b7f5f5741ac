namespace Rft.Generators.Specs;

/// <summary>[Training]: optimisation of the RL phase and the shape of its update.</summary>
/// <param name="OldLogProbs">The <c>Rft.OldLogProbSource</c> member's name.</param>
/// <param name="Precision">The <c>Rft.Precision</c> member's name.</param>
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
    int MicroBatchSize,
    int PpoEpochs,
    int MiniBatches,
    string OldLogProbs,
    string Device,
    string Precision,
    bool GradientCheckpointing,
    int CheckpointEvery,
    int KeepCheckpoints,
    double MaxTimedOutShare)
{
    /// <summary>The attribute's defaults, used when [Training] is absent or leaves a property unset.</summary>
    public static TrainingSpec Default { get; } = new(
        Steps: 100, LearningRate: 3e-5, WarmupSteps: 5, MinLearningRateRatio: 0.1, WeightDecay: 0.0,
        MaxGradNorm: 1.0, Seed: 1234, LogEvery: 10, EvalEvery: 0,
        MicroBatchSize: 0, PpoEpochs: 1, MiniBatches: 1, OldLogProbs: "Recompute", Device: "cpu", Precision: "Fp32", GradientCheckpointing: false,
        CheckpointEvery: 100, KeepCheckpoints: 3, MaxTimedOutShare: 0.5);
}
