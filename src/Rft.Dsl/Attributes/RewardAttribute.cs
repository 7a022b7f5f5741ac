namespace Rft;

/// <summary>
/// A reward function. Its parameters are bound by name to fields of the record, or take the record
/// itself, or a <see cref="Completion"/>. It returns <c>float</c>, <c>double</c> or
/// <c>ValueTask&lt;float&gt;</c>; the trainer sums rewards by weight. A reward that throws or returns
/// NaN masks that sample and is counted; the run goes on. A parameter of type
/// <see cref="System.Threading.CancellationToken"/> receives a token cancelled when the call passes
/// <see cref="TimeoutSeconds"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class RewardAttribute : Attribute
{
    /// <summary>
    /// Weight of this reward in the total, a finite number of at least 0. At 0 the reward is tracked, not
    /// rewarded: it is still computed and its mean reported, but it adds nothing to the total (even when it
    /// fails), and an accuracy reward of weight 0 still decides correctness.
    /// </summary>
    public double Weight { get; set; } = 1.0;

    /// <summary>
    /// This reward is the task's correctness: a completion scoring at least 1 counts as correct in the
    /// accuracy metric and in evaluation. When no reward says so, the first declared reward is used.
    /// </summary>
    public bool Accuracy { get; set; }

    /// <summary>
    /// A call that runs longer than this many seconds is abandoned: its sample is masked and counted like a throwing
    /// reward's, its cancellation token is cancelled, and the step goes on (option <c>Rft:&lt;Reward&gt;TimeoutSeconds</c>).
    /// With a timeout every call runs on its own thread, so even a synchronous call that never returns cannot stall
    /// training. 0 (the default) calls the reward directly, without a timeout.
    /// </summary>
    public double TimeoutSeconds { get; set; }
}
