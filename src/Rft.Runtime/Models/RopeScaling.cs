namespace Rft.Models;

/// <summary>
/// A <c>rope_scaling</c> entry of a Hugging Face <c>config.json</c>, computed as transformers'
/// <c>modeling_rope_utils.py</c> does (<c>_compute_linear_scaling_rope_parameters</c>,
/// <c>_compute_dynamic_ntk_parameters</c>, <c>_compute_llama3_parameters</c>; all three keep an attention factor of 1).
/// </summary>
/// <param name="Type">The scaling rule.</param>
/// <param name="Factor">The context extension factor (<c>factor</c>), at least 1 for dynamic and llama3.</param>
/// <param name="OriginalMaxPositions">
/// The pre-training context (<c>original_max_position_embeddings</c>, or <c>max_position_embeddings</c> of the
/// checkpoint for dynamic scaling when the entry has none); used by dynamic and llama3.
/// </param>
/// <param name="LowFreqFactor">llama3's <c>low_freq_factor</c>: wavelengths above <c>original / low</c> are divided by the factor.</param>
/// <param name="HighFreqFactor">llama3's <c>high_freq_factor</c>: wavelengths below <c>original / high</c> are kept.</param>
public sealed record RopeScaling(RopeScalingType Type, double Factor, int OriginalMaxPositions = 0, double LowFreqFactor = 1, double HighFreqFactor = 4)
{
    /// <summary>The <c>rope_type</c> string of <paramref name="type"/>.</summary>
    public static string NameOf(RopeScalingType type) => type switch
    {
        RopeScalingType.Linear => "linear",
        RopeScalingType.Dynamic => "dynamic",
        RopeScalingType.Llama3 => "llama3",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>
    /// The inverse frequencies <c>inv_freq[i]</c>, i in [0, headDim / 2), for a model of <paramref name="headDim"/> and
    /// base <paramref name="theta"/>, scaled by <paramref name="scaling"/> (null: unscaled). Dynamic scaling depends on the
    /// <paramref name="sequenceLength"/> of the forward pass (transformers: the largest position id plus one).
    /// Computed in float64; transformers computes in float32, so values agree to about 1e-7 relative.
    /// </summary>
    public static double[] InverseFrequencies(int headDim, double theta, RopeScaling? scaling, int sequenceLength = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(headDim, 2);
        int half = headDim / 2;
        double effectiveTheta = theta;
        if (scaling is { Type: RopeScalingType.Dynamic } dynamic)
        {
            double length = Math.Max(sequenceLength, dynamic.OriginalMaxPositions);
            effectiveTheta = theta * Math.Pow(dynamic.Factor * length / dynamic.OriginalMaxPositions - (dynamic.Factor - 1), headDim / (headDim - 2.0));
        }

        var inverse = new double[half];
        for (int i = 0; i < half; i++) inverse[i] = Math.Pow(effectiveTheta, -2.0 * i / headDim);
        if (scaling is null) return inverse;

        switch (scaling.Type)
        {
            case RopeScalingType.Linear:
                for (int i = 0; i < half; i++) inverse[i] /= scaling.Factor;
                break;
            case RopeScalingType.Llama3:
            {
                double old = scaling.OriginalMaxPositions;
                double lowWavelength = old / scaling.LowFreqFactor, highWavelength = old / scaling.HighFreqFactor;
                for (int i = 0; i < half; i++)
                {
                    double wavelength = 2 * Math.PI / inverse[i];
                    if (wavelength > lowWavelength)
                    {
                        inverse[i] /= scaling.Factor;
                    }
                    else if (wavelength >= highWavelength)
                    {
                        // Medium frequencies: blend the scaled and the unscaled by where the wavelength lies.
                        double smooth = (old / wavelength - scaling.LowFreqFactor) / (scaling.HighFreqFactor - scaling.LowFreqFactor);
                        inverse[i] = (1 - smooth) * inverse[i] / scaling.Factor + smooth * inverse[i];
                    }
                }

                break;
            }
        }

        return inverse;
    }

    /// <summary>One message per inconsistent field; empty when usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        string name = NameOf(Type);
        if (!(Factor > 0) || double.IsInfinity(Factor)) problems.Add($"rope_scaling {name}: factor = {Factor} must be positive.");
        else if (Type != RopeScalingType.Linear && Factor < 1) problems.Add($"rope_scaling {name}: factor = {Factor} must be at least 1.");
        if (Type != RopeScalingType.Linear && OriginalMaxPositions < 1)
            problems.Add($"rope_scaling {name}: original_max_position_embeddings = {OriginalMaxPositions} must be at least 1.");
        if (Type == RopeScalingType.Llama3 && !(LowFreqFactor > 0 && HighFreqFactor > LowFreqFactor))
            problems.Add($"rope_scaling llama3: low_freq_factor = {LowFreqFactor} and high_freq_factor = {HighFreqFactor} must satisfy 0 < low < high.");
        return problems;
    }
}
