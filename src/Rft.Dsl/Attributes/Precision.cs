namespace Rft;

/// <summary>The numeric precision of the policy's weights and activations.</summary>
public enum Precision
{
    /// <summary>float32 everywhere.</summary>
    Fp32,

    /// <summary>
    /// bfloat16 weights and activations in every forward and backward (the sampler included), with float32 master weights
    /// and AdamW state, and log-probs, ratios, KL and losses in float32.
    /// </summary>
    Bf16,
}
