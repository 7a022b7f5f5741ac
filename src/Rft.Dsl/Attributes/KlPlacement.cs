namespace Rft;

/// <summary>Where a KL penalty acts.</summary>
public enum KlPlacement
{
    /// <summary>As a loss term: <c>Beta * aggregated KL(policy || reference)</c> is added to the loss.</summary>
    InLoss,

    /// <summary>
    /// In the reward, before the advantage (verl's <c>apply_kl_penalty</c>): each token's reward is lowered by
    /// <c>Beta * KL</c> of the behaviour policy to the reference, so an outcome estimator's score becomes the
    /// completion's score minus Beta times its summed KL.
    /// </summary>
    InReward,
}
