namespace Rft.Training;

/// <summary>
/// What one training step measured. A trainer owns one instance per phase and overwrites it every
/// step, so reporting allocates nothing; a consumer that keeps values must copy them.
/// </summary>
public sealed class StepReport
{
    private readonly double[] _phaseSeconds = new double[Enum.GetValues<StepPhase>().Length];

    public StepReport(TrainingPhase phase, IReadOnlyList<string> rewardNames)
        : this(phase, rewardNames, [])
    {
    }

    /// <param name="extraNames">
    /// Names of the pipeline's further metrics (per-source shares and rewards, curriculum state), written to
    /// metrics.jsonl under these names from <see cref="Extra"/>.
    /// </param>
    public StepReport(TrainingPhase phase, IReadOnlyList<string> rewardNames, IReadOnlyList<string> extraNames)
    {
        Phase = phase;
        RewardNames = rewardNames;
        RewardMeans = new double[rewardNames.Count];
        ExtraNames = extraNames;
        Extra = new double[extraNames.Count];
        Array.Fill(Extra, double.NaN);
        Array.Fill(_phaseSeconds, double.NaN);
    }

    /// <summary>Names of the further metrics, fixed at construction.</summary>
    public IReadOnlyList<string> ExtraNames { get; }

    /// <summary>Values of the further metrics, aligned with <see cref="ExtraNames"/> (NaN: not measured this step).</summary>
    public double[] Extra { get; }

    public TrainingPhase Phase { get; }

    /// <summary>1-based step within the phase.</summary>
    public int Step { get; set; }

    /// <summary>The phase's step budget (an upper bound for a warm-up that may stop early).</summary>
    public int TotalSteps { get; set; }

    public double Loss { get; set; }
    public double LearningRate { get; set; }

    /// <summary>Global gradient norm before clipping.</summary>
    public double GradNorm { get; set; }

    /// <summary>Names of the rewards, in declaration order (empty in SFT).</summary>
    public IReadOnlyList<string> RewardNames { get; }

    /// <summary>Mean of each reward over the step's scored completions, aligned with <see cref="RewardNames"/>.</summary>
    public double[] RewardMeans { get; }

    /// <summary>Share of completions counted correct by the accuracy reward (RL), or NaN.</summary>
    public double Accuracy { get; set; } = double.NaN;

    /// <summary>Mean KL to the reference over completion tokens, or NaN when no KL term is declared.</summary>
    public double Kl { get; set; } = double.NaN;

    /// <summary>Mean policy entropy over completion tokens, or NaN when not computed.</summary>
    public double Entropy { get; set; } = double.NaN;

    /// <summary>Share of completion tokens whose ratio was clipped (RL; verl's <c>pg_clipfrac</c>, the sum of the two below), or NaN.</summary>
    public double ClipFraction { get; set; } = double.NaN;

    /// <summary>Share of completion tokens with a positive advantage whose ratio was clipped above at 1 + ClipHigh, or NaN.</summary>
    public double ClipFractionHigh { get; set; } = double.NaN;

    /// <summary>Share of completion tokens with a negative advantage whose ratio was clipped below at 1 - ClipLow, or NaN.</summary>
    public double ClipFractionLow { get; set; } = double.NaN;

    /// <summary>Approximate KL between the old (rollout-time) and the updated policy over completion tokens (verl's <c>ppo_kl</c>), or NaN.</summary>
    public double ApproxKl { get; set; } = double.NaN;

    /// <summary>Optimizer steps this training step took (PPO epochs x mini-batches; 0 when the update was skipped).</summary>
    public int OptimizerSteps { get; set; }

    /// <summary>Mean completion length in tokens (RL), or NaN.</summary>
    public double MeanCompletionLength { get; set; } = double.NaN;

    /// <summary>Share of groups whose rewards were all equal (no learning signal), or NaN.</summary>
    public double ZeroVarianceGroupShare { get; set; } = double.NaN;

    /// <summary>Samples masked because a reward threw, timed out or returned NaN.</summary>
    public int MaskedSamples { get; set; }

    /// <summary>Reward calls that ran past their timeout (their samples are among <see cref="MaskedSamples"/>).</summary>
    public int TimedOutRewards { get; set; }

    /// <summary>
    /// Greedy accuracy when measured at this step, else NaN: on the validation records during the
    /// warm-up, on the held-out records every <c>EvalEvery</c> RL steps.
    /// </summary>
    public double ValidationAccuracy { get; set; } = double.NaN;

    /// <summary>Wall-clock seconds this step took.</summary>
    public double Seconds { get; set; }

    /// <summary>Wall-clock seconds the step spent in <paramref name="phase"/> (RL), or NaN when it did not run it.</summary>
    public double PhaseSeconds(StepPhase phase) => _phaseSeconds[(int)phase];

    /// <summary>Adds <paramref name="seconds"/> to <paramref name="phase"/> (a step that rolls out several times adds each).</summary>
    public void AddPhaseSeconds(StepPhase phase, double seconds)
    {
        ref double total = ref _phaseSeconds[(int)phase];
        total = double.IsNaN(total) ? seconds : total + seconds;
    }

    /// <summary>Tokens the rollout generated this step (stop tokens included, padding not), or 0.</summary>
    public long RolloutTokens { get; set; }

    /// <summary>Generated tokens per second of rollout time, or NaN.</summary>
    public double RolloutTokensPerSecond => Rate(RolloutTokens, StepPhase.Rollout);

    /// <summary>Tokens the update's training forwards covered: the rows' real prompt and completion tokens, once per PPO epoch; or 0.</summary>
    public long UpdateTokens { get; set; }

    /// <summary>Update tokens per second of update time, or NaN.</summary>
    public double UpdateTokensPerSecond => Rate(UpdateTokens, StepPhase.Update);

    private double Rate(long tokens, StepPhase phase)
    {
        double seconds = _phaseSeconds[(int)phase];
        return tokens > 0 && seconds > 0 ? tokens / seconds : double.NaN;
    }

    /// <summary>
    /// Forgets every measurement of the previous step (NaN, zero counts), so a step that skips part of its work (an
    /// update with no signal under dynamic sampling) reports nothing stale. The names and the phase stay.
    /// </summary>
    public void Reset()
    {
        Step = 0;
        Loss = LearningRate = GradNorm = double.NaN;
        Accuracy = Kl = Entropy = double.NaN;
        ClipFraction = ClipFractionHigh = ClipFractionLow = ApproxKl = double.NaN;
        MeanCompletionLength = ZeroVarianceGroupShare = ValidationAccuracy = double.NaN;
        MaskedSamples = TimedOutRewards = OptimizerSteps = 0;
        Seconds = 0;
        Array.Fill(_phaseSeconds, double.NaN);
        RolloutTokens = UpdateTokens = 0;
        Array.Fill(RewardMeans, double.NaN);
        Array.Fill(Extra, double.NaN);
    }
}
