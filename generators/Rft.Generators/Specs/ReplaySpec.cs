namespace Rft.Generators.Specs;

/// <summary>[Replay]: the storage of past rollouts and how an update mixes and corrects them.</summary>
/// <param name="Correction">The <c>Rft.ImportanceCorrection</c> member's name, or a number for an undefined value.</param>
internal sealed record ReplaySpec(int Capacity, int MaxStaleness, double OnPolicyShare, string Correction, double TruncationCap, bool SignalOnly);
