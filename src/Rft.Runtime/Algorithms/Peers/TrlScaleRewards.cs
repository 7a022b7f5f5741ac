namespace Rft.Algorithms.Peers;

/// <summary>TRL <c>GRPOConfig.scale_rewards</c>: what the centred reward is divided by.</summary>
public enum TrlScaleRewards
{
    /// <summary><c>"group"</c>: the std of the completion's group (GRPO).</summary>
    Group,

    /// <summary><c>"batch"</c>: the std of the whole batch.</summary>
    Batch,

    /// <summary><c>"none"</c>: no scaling (Dr.GRPO); the group std is still reported.</summary>
    None,
}
