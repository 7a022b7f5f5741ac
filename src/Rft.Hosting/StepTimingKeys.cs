using Rft.Training;

namespace Rft.Hosting;

/// <summary>
/// The names under which a step's timings and throughputs appear in <c>metrics.jsonl</c> and <c>summary.json</c>, and
/// how to read each from a <see cref="StepReport"/> (NaN when the step did not measure it).
/// </summary>
internal static class StepTimingKeys
{
    /// <summary>The names, in the order <see cref="Value"/> indexes them.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "timing/rollout_s", "timing/score_s", "timing/old_logprob_s", "timing/reference_s", "timing/update_s",
        "rollout/tokens", "rollout/tokens_per_s", "update/tokens_per_s",
    ];

    /// <summary>The value of name <paramref name="index"/> in <paramref name="report"/>.</summary>
    public static double Value(StepReport report, int index) => index switch
    {
        0 => report.PhaseSeconds(StepPhase.Rollout),
        1 => report.PhaseSeconds(StepPhase.Score),
        2 => report.PhaseSeconds(StepPhase.OldLogProbs),
        3 => report.PhaseSeconds(StepPhase.Reference),
        4 => report.PhaseSeconds(StepPhase.Update),
        5 => report.RolloutTokens > 0 ? report.RolloutTokens : double.NaN,
        6 => report.RolloutTokensPerSecond,
        7 => report.UpdateTokensPerSecond,
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, $"There are {Names.Count} timing keys."),
    };
}
