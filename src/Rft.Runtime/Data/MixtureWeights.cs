namespace Rft.Data;

/// <summary>
/// Weights for the sources of a <see cref="Mixture{T}"/>, as pure functions: each returns one
/// probability per source, in the order given, summing to 1. Every source must be able to be drawn,
/// so every weight or size must be positive and finite; an error names the index at fault.
/// </summary>
public static class MixtureWeights
{
    /// <summary>The given weights, normalised: p_i = w_i / sum(w).</summary>
    /// <exception cref="ArgumentException">No weights, or one that is not positive and finite.</exception>
    public static double[] Explicit(IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        RequireSome(weights.Count, nameof(weights));
        var probabilities = new double[weights.Count];
        for (int i = 0; i < weights.Count; i++)
        {
            double weight = weights[i];
            if (!(weight > 0) || double.IsInfinity(weight))
                throw new ArgumentException($"Weight {i} is {weight}: weights must be positive and finite.", nameof(weights));
            probabilities[i] = weight;
        }

        return Normalise(probabilities, nameof(weights));
    }

    /// <summary>Size-proportional weights, p_i = n_i / sum(n): every record is equally likely to be drawn.</summary>
    /// <exception cref="ArgumentException">No sizes, or a size below 1.</exception>
    public static double[] SizeProportional(IReadOnlyList<long> sizes) => TemperatureScaled(sizes, 1.0);

    /// <summary>
    /// Temperature-scaled weights, p_i = n_i^(1/T) / sum_j n_j^(1/T) (the multilingual-pretraining
    /// recipe of XLM-R and mT5, there written with alpha = 1/T). T = 1 is size-proportional; larger T
    /// flattens the mixture toward uniform (T → ∞), T &lt; 1 sharpens it toward the largest source.
    /// </summary>
    /// <param name="sizes">Records in each source; each at least 1.</param>
    /// <param name="temperature">T, positive and finite.</param>
    /// <exception cref="ArgumentException">No sizes, or a size below 1.</exception>
    /// <exception cref="ArgumentOutOfRangeException">T is not positive and finite.</exception>
    public static double[] TemperatureScaled(IReadOnlyList<long> sizes, double temperature)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        RequireSome(sizes.Count, nameof(sizes));
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature T must be positive and finite (1 = size-proportional, larger = flatter).");

        // Scale by the largest size before the power so that n^(1/T) cannot overflow for small T.
        long largest = 0;
        for (int i = 0; i < sizes.Count; i++)
        {
            if (sizes[i] < 1)
                throw new ArgumentException($"Size {i} is {sizes[i]}: every source needs at least one record to be drawn.", nameof(sizes));
            largest = Math.Max(largest, sizes[i]);
        }

        var probabilities = new double[sizes.Count];
        for (int i = 0; i < sizes.Count; i++) probabilities[i] = Math.Pow((double)sizes[i] / largest, 1.0 / temperature);
        return Normalise(probabilities, nameof(sizes));
    }

    private static void RequireSome(int count, string parameter)
    {
        if (count == 0) throw new ArgumentException("A mixture needs at least one source.", parameter);
    }

    private static double[] Normalise(double[] weights, string parameter)
    {
        double total = 0;
        foreach (double weight in weights) total += weight;
        if (!(total > 0) || double.IsInfinity(total))
            throw new ArgumentException($"The weights sum to {total}; they must sum to a positive finite number.", parameter);
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] /= total;
            // a tiny source under a very low temperature can underflow to 0, which the mixture would refuse
            if (!(weights[i] > 0))
                throw new ArgumentException($"Source {i}'s share underflows to 0; raise the temperature.", parameter);
        }

        return weights;
    }
}
