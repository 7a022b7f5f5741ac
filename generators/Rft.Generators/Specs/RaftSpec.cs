namespace Rft.Generators.Specs;

/// <summary>[Raft]: the completions kept per group, and the least reward a kept one has (NaN: none).</summary>
internal sealed record RaftSpec(int TopK, double Threshold);
