namespace Rft;

/// <summary>
/// Online DPO built from rollouts: in each prompt's group the best completion by reward is preferred to the worst (a
/// group whose rewards are all equal gives no pair), and the DPO loss (Rafailov et al. 2023) is taken against the frozen
/// reference, the policy as RL starts: <c>-log sigmoid(Beta ((log pi - log ref)(chosen) - (log pi - log ref)(rejected)))</c>
/// on sequence log-probs. <see cref="Mode"/> alternates it with the policy-gradient steps or adds it to them.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class OnlineDpoAttribute : Attribute
{
    /// <summary>DPO's inverse temperature: how far the policy may move from the reference for a given margin.</summary>
    public double Beta { get; set; } = 0.1;

    /// <summary>Alternate (VerIPO) or combined with the policy-gradient term.</summary>
    public DpoMode Mode { get; set; } = DpoMode.Alternate;

    /// <summary><see cref="DpoMode.Alternate"/>: every this many steps is a DPO step (1: every step).</summary>
    public int Every { get; set; } = 1;

    /// <summary><see cref="DpoMode.Combined"/>: the DPO loss's weight beside the policy-gradient loss.</summary>
    public double Weight { get; set; } = 1.0;
}
