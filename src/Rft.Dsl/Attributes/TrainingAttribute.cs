namespace Rft;

/// <summary>
/// Optimisation settings of the RL phase, and the shape of its update: one rollout of PromptsPerStep x GroupSize
/// completions is shuffled and split into <see cref="MiniBatches"/> mini-batches (one optimizer step each) for each of
/// <see cref="PpoEpochs"/> epochs, and each mini-batch runs in micro-batches of <see cref="MicroBatchSize"/> rows (one
/// forward and backward each) whose gradients add up to the mini-batch's.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TrainingAttribute : Attribute
{
    /// <summary>RL steps (one rollout and one update each).</summary>
    public int Steps { get; set; } = 100;

    /// <summary>Peak learning rate (AdamW).</summary>
    public double LearningRate { get; set; } = 3e-5;

    /// <summary>Linear warm-up steps before cosine decay.</summary>
    public int WarmupSteps { get; set; } = 5;

    /// <summary>Cosine decay floor as a fraction of the peak learning rate, in [0, 1]; 1 keeps the rate constant after the warm-up.</summary>
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

    /// <summary>
    /// Rows per forward and backward pass (gradient accumulation); 0 runs a whole mini-batch at once. Memory grows with
    /// this, not with the rollout. Also the rows per pass of the reference, old-policy and SFT forwards. Need not divide a
    /// mini-batch: the last micro-batch takes the remainder.
    /// </summary>
    public int MicroBatchSize { get; set; } = 0;

    /// <summary>Passes over each rollout (verl's <c>ppo_epochs</c>, TRL's <c>num_iterations</c>); above 1 the clip acts from the second pass.</summary>
    public int PpoEpochs { get; set; } = 1;

    /// <summary>Optimizer steps per epoch: the rollout's rows are shuffled and split into this many mini-batches (verl's <c>ppo_mini_batch_size</c> = rows / this).</summary>
    public int MiniBatches { get; set; } = 1;

    /// <summary>The importance ratio's denominator: recomputed by the policy before the first update (as verl), or the sampler's behaviour log-probs.</summary>
    public OldLogProbSource OldLogProbs { get; set; } = OldLogProbSource.Recompute;

    /// <summary>Where every model, buffer and step tensor lives: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (option <c>Rft:Device</c>).</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Weights and activations in float32, or bfloat16 with float32 master weights, AdamW state, log-probs and losses.</summary>
    public Precision Precision { get; set; } = Precision.Fp32;

    /// <summary>Recompute each decoder layer's activations in backward instead of keeping them (less memory, about a third more compute).</summary>
    public bool GradientCheckpointing { get; set; } = false;
    /// <summary>Write a resumable checkpoint every this many steps of the warm-up and of RL; 0 only at the end of the run.</summary>
    public int CheckpointEvery { get; set; } = 100;

    /// <summary>How many periodic checkpoints to keep (the newest).</summary>
    public int KeepCheckpoints { get; set; } = 3;

    /// <summary>
    /// A step where more than this share of the samples had a reward time out (<see cref="RewardAttribute.TimeoutSeconds"/>)
    /// stops the run with an error after saving: the reward service is down, and training on the rest would learn nothing.
    /// </summary>
    public double MaxTimedOutShare { get; set; } = 0.5;
}
