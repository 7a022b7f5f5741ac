namespace Rft.Training;

/// <summary>What a set of completions of the held-out problems scored.</summary>
/// <param name="Completions">Completions scored.</param>
/// <param name="Correct">Completions the accuracy reward scored at least 1.</param>
/// <param name="RewardMeans">Each reward's mean over the completions it scored, aligned with the evaluation's reward names (NaN when it scored none).</param>
/// <param name="RewardFailures">Completions each reward failed on (threw or returned NaN), left out of its mean.</param>
/// <param name="MeanCompletionTokens">Mean generated tokens per completion.</param>
public sealed record CompletionStatistics(
    int Completions,
    int Correct,
    IReadOnlyList<double> RewardMeans,
    IReadOnlyList<int> RewardFailures,
    double MeanCompletionTokens)
{
    /// <summary>Share of completions that were correct (pass@1 when each problem has the same number).</summary>
    public double Accuracy => Completions == 0 ? double.NaN : (double)Correct / Completions;
}
