namespace Rft.Training;

/// <summary>
/// Too many reward calls past their timeout are still running (each holds a thread): the reward ignores its cancellation
/// token and never returns. The run stops instead of masking samples while threads pile up.
/// </summary>
public sealed class RewardsStuckException(string message) : Exception(message);
