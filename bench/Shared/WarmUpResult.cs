namespace Rft.Benchmarks;

/// <summary>The one supervised warm-up every arm starts from.</summary>
/// <param name="Steps">SFT steps run.</param>
/// <param name="ValidationAccuracy">The last validation accuracy (the warm-up stops at its target).</param>
/// <param name="Seconds">Seconds of warm-up.</param>
/// <param name="Checkpoint">The folder the warmed-up policy was saved to; every arm loads it.</param>
public sealed record WarmUpResult(int Steps, double ValidationAccuracy, double Seconds, string Checkpoint);
