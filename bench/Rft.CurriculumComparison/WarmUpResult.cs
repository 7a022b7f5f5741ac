namespace Rft.CurriculumComparison;

/// <summary>The one supervised warm-up both arms start from.</summary>
/// <param name="Steps">SFT steps run.</param>
/// <param name="ValidationAccuracy">The last validation accuracy (the warm-up stops at its target).</param>
/// <param name="Seconds">Seconds of warm-up.</param>
/// <param name="Checkpoint">The folder the warmed-up policy was saved to; both arms load it.</param>
public sealed record WarmUpResult(int Steps, double ValidationAccuracy, double Seconds, string Checkpoint);
