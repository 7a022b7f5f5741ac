namespace Rft;

/// <summary>Optimisation settings of the RL phase.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TrainingAttribute : Attribute
{
    /// <summary>RL steps (one rollout and one update each).</summary>
    public int Steps { get; set; } = 100;

    /// <summary>Peak learning rate (AdamW).</summary>
    public double LearningRate { get; set; } = 3e-5;

    /// <summary>Linear warm-up steps before cosine decay.</summary>
    public int WarmupSteps { get; set; } = 5;

    /// <summary>Cosine decay floor as a fraction of the peak learning rate.</summary>
    public double MinLearningRateRatio { get; set; } = 0.1;

    /// <summary>AdamW decoupled weight decay.</summary>
    public double WeightDecay { get; set; } = 0.0;

    /// <summary>Clip the global gradient norm to this; 0 disables clipping.</summary>
    public double MaxGradNorm { get; set; } = 1.0;

    /// <summary>Seed of every random choice of the run.</summary>
    public int Seed { get; set; } = 1234;

    /// <summary>Print a progress line every this many steps.</summary>
    public int LogEvery { get; set; } = 10;

    /// <summary>Evaluate on the held-out set every this many RL steps; 0 only at the end.</summary>
    public int EvalEvery { get; set; } = 0;

    /// <summary>Write a resumable checkpoint every this many steps of the warm-up and of RL; 0 only at the end of the run.</summary>
    public int CheckpointEvery { get; set; } = 100;

    /// <summary>How many periodic checkpoints to keep (the newest).</summary>
    public int KeepCheckpoints { get; set; } = 3;
}
