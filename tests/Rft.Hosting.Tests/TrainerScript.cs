namespace Rft.Hosting.Tests;

/// <summary>How a <see cref="FakeTrainer"/> behaves.</summary>
public sealed class TrainerScript
{
    public bool HasWarmUp { get; init; } = true;

    /// <summary>Reports a KL to the reference (otherwise it stays NaN, as without a KL term).</summary>
    public bool WithKl { get; init; }

    /// <summary>Called in the middle of each warm-up step, before the step's report is filled in.</summary>
    public Action<int, FakeTrainer>? DuringSftStep { get; init; }

    /// <summary>Called in the middle of each RL step, before the step's report is filled in.</summary>
    public Action<int, FakeTrainer>? DuringRlStep { get; init; }

    /// <summary>Throws in the middle of this RL step.</summary>
    public int? ThrowAtRlStep { get; init; }

    public bool ThrowInSetup { get; init; }

    /// <summary>Thrown by Setup when set (after <see cref="ThrowInSetup"/>'s missing file, if both are).</summary>
    public Exception? SetupException { get; init; }
    /// <summary>Saving a checkpoint taken after this RL step fails, as on a full disk.</summary>
    public int? FailCheckpointAtRlStep { get; init; }

    /// <summary>How long saving a checkpoint takes, after its first file is written, once a stop was requested (a large model's final checkpoint).</summary>
    public TimeSpan StoppingCheckpointDelay { get; init; }

    /// <summary>Registers the trainer as one generated before resume existed (<see cref="TrainerWithoutResume"/>).</summary>
    public bool WithoutResume { get; init; }

    /// <summary>How long each step takes.</summary>
    public TimeSpan StepDelay { get; init; }
}
