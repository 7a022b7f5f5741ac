namespace Rft;

/// <summary>
/// Keeps past rollouts (token ids, masks, behaviour log-probs, rewards, advantages and the policy version that sampled
/// them) in storage allocated once, and trains each update on the step's fresh rows and on rows replayed from that
/// storage, so that <see cref="OnPolicyShare"/> of the update's rows are fresh. Rows older than
/// <see cref="MaxStaleness"/> steps are evicted; when the storage is full the oldest rows are overwritten.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ReplayAttribute : Attribute
{
    /// <summary>Rows the storage holds; at least one step's <c>PromptsPerStep * GroupSize</c>.</summary>
    public int Capacity { get; set; } = 1024;

    /// <summary>A row sampled at step v may be replayed at steps v + 1 to v + MaxStaleness.</summary>
    public int MaxStaleness { get; set; } = 4;

    /// <summary>The share of an update's rows that are fresh, in (0, 1]: with N fresh rows, N (1 - share) / share are replayed.</summary>
    public double OnPolicyShare { get; set; } = 0.5;

    /// <summary>How the update corrects for the policy that sampled a replayed row.</summary>
    public ImportanceCorrection Correction { get; set; } = ImportanceCorrection.BehaviourRatio;

    /// <summary><see cref="ImportanceCorrection.TruncatedWeights"/>: the cap C of <c>min(pi_old / pi_behaviour, C)</c> (verl's <c>rollout_is_threshold</c>).</summary>
    public double TruncationCap { get; set; } = 2.0;

    /// <summary>Store only rows whose advantages are not all zero: a row of a group whose rewards were all equal carries no policy gradient.</summary>
    public bool SignalOnly { get; set; } = true;
}
