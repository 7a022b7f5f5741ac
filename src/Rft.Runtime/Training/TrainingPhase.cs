namespace Rft.Training;

/// <summary>The phase a step belongs to.</summary>
public enum TrainingPhase
{
    /// <summary>Supervised warm-up on demonstrations.</summary>
    Sft,

    /// <summary>Reinforcement learning from rewards.</summary>
    Rl,
}
