using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// Masked reductions with the semantics of verl's <c>verl/utils/torch_functional.py</c>
/// (<c>masked_sum</c>, <c>masked_mean</c>, <c>masked_var</c>, <c>masked_whiten</c>). The dtype of
/// <c>values</c> (float32 or float64) is kept.
/// </summary>
public static class Masked
{
    /// <summary>The 1e-8 that verl adds to a mask count (masked_mean) and to a variance (masked_whiten).</summary>
    public const double Epsilon = 1e-8;

    /// <summary>
    /// verl <c>masked_sum</c>: the sum of <paramref name="values"/> where the mask is non-zero, each
    /// multiplied by its mask weight; values outside the mask (even NaN) do not contribute.
    /// </summary>
    /// <param name="axis">The dimension to reduce, or null for all of them.</param>
    public static Tensor Sum(Tensor values, Tensor mask, long? axis = null)
    {
        using var scope = NewDisposeScope();
        var weights = mask.to_type(values.dtype);
        var valid = where(mask.to_type(ScalarType.Bool), values, zeros_like(values)) * weights;
        var sum = axis is { } a ? valid.sum(a) : valid.sum();
        return sum.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// verl <c>masked_mean</c>: <c>masked_sum / (mask.sum() + 1e-8)</c>. An empty mask gives 0, not NaN.
    /// </summary>
    public static Tensor Mean(Tensor values, Tensor mask, long? axis = null)
    {
        using var scope = NewDisposeScope();
        var weights = mask.to_type(values.dtype);
        var count = axis is { } a ? weights.sum(a) : weights.sum();
        return (Sum(values, mask, axis) / (count + Epsilon)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// verl <c>masked_var</c>: the masked mean of the squared deviation from the masked mean over all
    /// elements, times <c>n / (n - 1)</c> when <paramref name="unbiased"/>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// When unbiased and the mask sums to 0 or 1, as verl raises ValueError; the biased variance of an
    /// empty mask is 0.
    /// </exception>
    public static Tensor Variance(Tensor values, Tensor mask, bool unbiased = true)
    {
        using var scope = NewDisposeScope();
        var mean = Mean(values, mask);
        var centred = values - mean;
        var variance = Mean(centred * centred, mask);
        if (unbiased)
        {
            double n = mask.to_type(ScalarType.Float64).sum().item<double>();
            if (n == 0)
                throw new ArgumentException("Unbiased masked variance needs at least one element in the mask to be 1 (verl masked_var); the mask is empty.", nameof(mask));
            if (n == 1)
                throw new ArgumentException("Unbiased masked variance needs at least two masked elements (verl masked_var raises on a mask that sums to one: division by zero); use a larger batch or the biased variance.", nameof(mask));
            variance = variance * (n / (n - 1));
        }

        return variance.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// verl <c>masked_whiten</c>: <c>(values - mean) * rsqrt(var + 1e-8)</c> with the masked mean and the
    /// unbiased masked variance, plus the mean again when <paramref name="shiftMean"/> is false. Every
    /// element is transformed, masked or not.
    /// </summary>
    /// <exception cref="ArgumentException">When the mask sums to 0 or 1 (from <see cref="Variance"/>).</exception>
    public static Tensor Whiten(Tensor values, Tensor mask, bool shiftMean = true)
    {
        using var scope = NewDisposeScope();
        var mean = Mean(values, mask);
        var variance = Variance(values, mask, unbiased: true);
        var whitened = (values - mean) * (variance + Epsilon).rsqrt();
        if (!shiftMean) whitened = whitened + mean;
        return whitened.MoveToOuterDisposeScope();
    }
}
