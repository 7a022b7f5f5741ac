namespace Rft.Training;

/// <summary>AdamW with a linear warm-up then cosine decay to <see cref="MinLearningRateRatio"/> of the peak.</summary>
/// <param name="MaxGradNorm">Clip the global gradient norm to this; 0 disables clipping.</param>
public sealed record OptimizerSettings(
    double LearningRate,
    double WeightDecay,
    double MaxGradNorm,
    int WarmupSteps,
    int TotalSteps,
    double MinLearningRateRatio,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double AdamEpsilon = 1e-8);
