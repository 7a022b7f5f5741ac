namespace Rft.Training;

/// <summary>Why a checkpoint was written, recorded in its manifest.</summary>
public enum CheckpointReason
{
    /// <summary>Every <c>Rft:CheckpointEvery</c> steps.</summary>
    Periodic,

    /// <summary>At the end of a run stopped on request (Ctrl+C, SIGTERM): it can be resumed.</summary>
    Interrupted,

    /// <summary>At the end of a run that finished every phase: nothing is left to resume.</summary>
    Completed,

    /// <summary>After a failure, possibly in the middle of a step: kept for inspection, never resumed.</summary>
    Failed,
}
