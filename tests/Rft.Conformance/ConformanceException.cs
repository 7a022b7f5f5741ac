namespace Rft.Conformance;

/// <summary>A cases file that cannot be run: the message names the case and what was wrong.</summary>
public sealed class ConformanceException(string message, Exception? inner = null) : Exception(message, inner);
