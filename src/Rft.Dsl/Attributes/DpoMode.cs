namespace Rft;

/// <summary>How <see cref="OnlineDpoAttribute"/> shares the steps with the policy-gradient term.</summary>
public enum DpoMode
{
    /// <summary>As VerIPO's loop: every <c>Every</c>-th step trains the DPO loss on its rollout's pairs alone, the other steps the policy gradient alone (Every = 1: online DPO only).</summary>
    Alternate,

    /// <summary>Every step adds <c>Weight</c> times the DPO loss on its pairs to the policy-gradient loss.</summary>
    Combined,
}
