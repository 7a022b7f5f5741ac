namespace Rft.Training;

/// <summary>A reward call ran past its <c>TimeoutSeconds</c>; or, from the trainer, too many of a step's calls did.</summary>
public sealed class RewardTimeoutException(string message) : Exception(message);
