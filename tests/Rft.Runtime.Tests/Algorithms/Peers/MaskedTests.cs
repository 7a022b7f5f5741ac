using Rft.Algorithms;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms.Peers;

public class MaskedTests
{
    private const int Digits = 12;

    [Fact]
    public void Mean_ignores_masked_values_even_nan_and_an_empty_mask_gives_zero()
    {
        using var scope = NewDisposeScope();
        var values = tensor(new double[,] { { 1, 2, double.NaN }, { 4, 5, 6 } });
        var mask = tensor(new double[,] { { 1, 1, 0 }, { 1, 0, 0 } });
        // (1 + 2 + 4) / (3 + 1e-8)
        Assert.Equal(7.0 / (3 + 1e-8), Masked.Mean(values, mask).item<double>(), Digits);
        // Per row: 3 / (2 + 1e-8), 4 / (1 + 1e-8)
        var rows = Masked.Mean(values, mask, axis: 1).data<double>().ToArray();
        Assert.Equal(3 / (2 + 1e-8), rows[0], Digits);
        Assert.Equal(4 / (1 + 1e-8), rows[1], Digits);
        Assert.Equal(0.0, Masked.Mean(values, zeros_like(mask)).item<double>());
    }

    [Fact]
    public void Variance_biased_and_unbiased()
    {
        using var scope = NewDisposeScope();
        // Masked values 1, 2, 3, 6: mean 3 (up to 1e-8 relative), squared deviations 4, 1, 0, 9 -> biased 14/4 = 3.5, unbiased 14/3.
        var values = tensor(new double[,] { { 1, 2, 100 }, { 3, 6, -100 } });
        var mask = tensor(new double[,] { { 1, 1, 0 }, { 1, 1, 0 } });
        Assert.Equal(3.5, Masked.Variance(values, mask, unbiased: false).item<double>(), 6);
        Assert.Equal(14.0 / 3, Masked.Variance(values, mask, unbiased: true).item<double>(), 6);
    }

    [Fact]
    public void Unbiased_variance_raises_on_empty_and_one_token_masks_as_verl()
    {
        using var scope = NewDisposeScope();
        var values = tensor(new double[,] { { 1, 2, 3 } });
        var empty = Assert.Throws<ArgumentException>(() => Masked.Variance(values, zeros(1, 3, float64)));
        Assert.Contains("empty", empty.Message);
        var one = Assert.Throws<ArgumentException>(() => Masked.Whiten(values, tensor(new double[,] { { 0, 1, 0 } })));
        Assert.Contains("two", one.Message);
        // The biased variance of an empty mask is 0 (0 / (0 + 1e-8)).
        Assert.Equal(0.0, Masked.Variance(values, zeros(1, 3, float64), unbiased: false).item<double>());
    }

    [Fact]
    public void Whiten_centres_and_scales_by_the_unbiased_std_and_can_keep_the_mean()
    {
        using var scope = NewDisposeScope();
        // Masked values 1, 3: mean 2, unbiased var 2 -> (x - 2) / sqrt(2 + 1e-8); the masked-out 5 is transformed too.
        // (verl's 1e-8 in the mean's denominator moves the mean by 2e-8 relative, hence 6-7 digits.)
        var values = tensor(new double[,] { { 1, 3, 5 } });
        var mask = tensor(new double[,] { { 1, 1, 0 } });
        var whitened = Masked.Whiten(values, mask).data<double>().ToArray();
        double s = Math.Sqrt(2 + 1e-8);
        Assert.Equal(-1 / s, whitened[0], 7);
        Assert.Equal(1 / s, whitened[1], 7);
        Assert.Equal(3 / s, whitened[2], 6);
        var kept = Masked.Whiten(values, mask, shiftMean: false).data<double>().ToArray();
        Assert.Equal(2 - 1 / s, kept[0], 7);
    }

    [Fact]
    public void Float32_stays_float32()
    {
        using var scope = NewDisposeScope();
        var values = tensor(new float[,] { { 1, 3 } });
        var mask = ones(1, 2);
        Assert.Equal(ScalarType.Float32, Masked.Whiten(values, mask).dtype);
        Assert.Equal(2f, Masked.Mean(values, mask).item<float>(), 5);
    }
}
