namespace Rft.Generators.Specs;

/// <summary>[OfflineRollouts]: the logged rollouts file (option <c>Rft:OfflineRolloutsPath</c>) and whether it is read again at its end.</summary>
internal sealed record OfflineRolloutsSpec(string Path, bool Repeat);
