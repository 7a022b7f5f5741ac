namespace Rft.Models;

/// <summary>How rotary frequencies are stretched for contexts longer than the model was pre-trained on (Hugging Face's <c>rope_type</c>).</summary>
public enum RopeScalingType
{
    /// <summary><c>"linear"</c> (position interpolation): every frequency divided by the factor.</summary>
    Linear,

    /// <summary>
    /// <c>"dynamic"</c> (dynamic NTK): beyond the original context the base grows with the sequence length,
    /// <c>theta * (factor * L / original - (factor - 1))^(d / (d - 2))</c>; shorter sequences use the unscaled frequencies.
    /// </summary>
    Dynamic,

    /// <summary><c>"llama3"</c> (Llama 3.1): low frequencies divided by the factor, high ones kept, a smooth blend between.</summary>
    Llama3,
}
