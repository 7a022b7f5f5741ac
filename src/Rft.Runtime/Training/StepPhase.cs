namespace Rft.Training;

/// <summary>The parts of an RL step that are timed separately (<see cref="StepReport.PhaseSeconds"/>).</summary>
public enum StepPhase
{
    /// <summary>Sampling the completions (prefill and decoding) and decoding them to text.</summary>
    Rollout,

    /// <summary>Running the reward functions.</summary>
    Score,

    /// <summary>The policy's log-probs before the update, once per rollout, without gradients.</summary>
    OldLogProbs,

    /// <summary>The frozen reference policy's log-probs, without gradients.</summary>
    Reference,

    /// <summary>Advantages, every optimizer step of the update and reading its metrics.</summary>
    Update,
}
