namespace Rft.Training;

/// <summary>
/// An option that passed validation but cannot work on this machine (a CUDA device without CUDA): the host reports it as
/// an invalid option, with exit code 2, before any work.
/// </summary>
public sealed class InvalidOptionException(string message) : Exception(message);
