namespace Rft;

/// <summary>
/// Supervised warm-up on the <see cref="DemonstrationAttribute"/> targets before RL. It stops at
/// <see cref="MaxSteps"/> or as soon as greedy accuracy on validation records drawn from the sources
/// reaches <see cref="TargetAccuracy"/>, whichever comes first.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SftWarmupAttribute : Attribute
{
    /// <summary>Upper bound on warm-up steps; 0 disables the warm-up.</summary>
    public int MaxSteps { get; set; } = 2000;

    /// <summary>Demonstrations per step.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Peak learning rate of the warm-up.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Stop once validation accuracy reaches this (0..1); 1 or more never stops early.</summary>
    public double TargetAccuracy { get; set; } = 0.3;

    /// <summary>Measure validation accuracy every this many steps.</summary>
    public int EvalEvery { get; set; } = 100;

    /// <summary>Validation records (drawn from the sources with their own seed).</summary>
    public int ValidationSize { get; set; } = 200;

    /// <summary>Linear learning-rate warm-up steps of the warm-up phase (its own schedule, not RL's).</summary>
    public int WarmupSteps { get; set; } = 20;

    /// <summary>Cosine decay floor of the warm-up phase, as a fraction of its peak learning rate, in [0, 1]; 1 keeps it constant.</summary>
    public double MinLearningRateRatio { get; set; } = 0.1;
}
