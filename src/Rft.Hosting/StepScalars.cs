using Rft.Training;

namespace Rft.Hosting;

/// <summary>One number a step reports, under its <c>metrics.jsonl</c> name; NaN when the step did not measure it (left out).</summary>
internal sealed record StepScalar(string Name, Func<StepReport, double> Value);

/// <summary>
/// The numbers of a step line, in the order <c>metrics.jsonl</c> writes them, for every writer of step metrics
/// (<see cref="MetricsWriter"/>, the TensorBoard writer, <c>summary.json</c>'s medians), so they cannot drift apart: the
/// fixed ones before the rewards (<see cref="Head"/>), between the rewards and the per-source and curriculum extras
/// (<see cref="Middle"/>), and after them (<see cref="Tail"/>: the phase timings and throughputs, then the step's seconds).
/// </summary>
internal static class StepScalars
{
    public static IReadOnlyList<StepScalar> Head { get; } =
    [
        new("loss", r => r.Loss),
        new("lr", r => r.LearningRate),
        new("grad_norm", r => r.GradNorm),
    ];

    public static IReadOnlyList<StepScalar> Middle { get; } =
    [
        new("accuracy", r => r.Accuracy),
        new("kl", r => r.Kl),
        new("entropy", r => r.Entropy),
        new("clip_fraction", r => r.ClipFraction),
        new("clip_fraction_high", r => r.ClipFractionHigh),
        new("clip_fraction_low", r => r.ClipFractionLow),
        new("approx_kl", r => r.ApproxKl),
        new("optimizer_steps", r => r.Phase == TrainingPhase.Rl ? r.OptimizerSteps : double.NaN),
        new("completion_length", r => r.MeanCompletionLength),
        new("zero_variance_groups", r => r.ZeroVarianceGroupShare),
        new("masked_samples", r => r.MaskedSamples),
        new("reward_timeouts", r => r.TimedOutRewards > 0 ? r.TimedOutRewards : double.NaN),
        new("val_accuracy", r => r.ValidationAccuracy),
    ];

    /// <summary>Where a step's time went, and how long it took: what <c>summary.json</c> reports the medians of.</summary>
    public static IReadOnlyList<StepScalar> Tail { get; } =
    [
        new("timing/rollout_s", r => r.PhaseSeconds(StepPhase.Rollout)),
        new("timing/score_s", r => r.PhaseSeconds(StepPhase.Score)),
        new("timing/old_logprob_s", r => r.PhaseSeconds(StepPhase.OldLogProbs)),
        new("timing/reference_s", r => r.PhaseSeconds(StepPhase.Reference)),
        new("timing/update_s", r => r.PhaseSeconds(StepPhase.Update)),
        new("rollout/tokens", r => r.RolloutTokens > 0 ? r.RolloutTokens : double.NaN),
        new("rollout/tokens_per_s", r => r.RolloutTokensPerSecond),
        new("update/tokens_per_s", r => r.UpdateTokensPerSecond),
        new("seconds", r => r.Seconds),
    ];
}
