namespace Rft;

/// <summary>Estimators of KL(policy || reference) from log-probabilities of sampled tokens, d = logp - ref.</summary>
public enum KlEstimator
{
    /// <summary>k1 = d.</summary>
    K1,

    /// <summary>|d|.</summary>
    Abs,

    /// <summary>k2 = d^2 / 2.</summary>
    K2,

    /// <summary>k3 = exp(-d) + d - 1, clamped to [-10, 10] as in verl.</summary>
    K3,
}
