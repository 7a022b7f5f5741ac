using Rft.Data;

namespace Rft.Runtime.Tests.Data;

public class MixtureWeightsTests
{
    private const int Draws = 100_000;

    private static void AssertClose(double[] expected, double[] actual, double tolerance = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.InRange(actual[i], expected[i] - tolerance, expected[i] + tolerance);
    }

    [Fact]
    public void Explicit_weights_are_normalised() =>
        AssertClose([0.5, 0.375, 0.125], MixtureWeights.Explicit([4, 3, 1]));

    [Fact]
    public void Size_proportional_weights_follow_the_sizes() =>
        AssertClose([7473 / 8792.0, 1319 / 8792.0], MixtureWeights.SizeProportional([7473, 1319]));

    [Fact]
    public void Temperature_scales_sizes_by_the_root_T()
    {
        // T = 2: p ~ sqrt(n) = 100, 30, 10.
        AssertClose([100 / 140.0, 30 / 140.0, 10 / 140.0], MixtureWeights.TemperatureScaled([10_000, 900, 100], 2));
        AssertClose(MixtureWeights.SizeProportional([10_000, 900, 100]), MixtureWeights.TemperatureScaled([10_000, 900, 100], 1));
        AssertClose([1 / 3.0, 1 / 3.0, 1 / 3.0], MixtureWeights.TemperatureScaled([10_000, 900, 100], 1e9), 1e-6);
        var sharp = MixtureWeights.TemperatureScaled([10_000, 900, 100], 0.5);
        Assert.True(sharp[0] > 0.99, "T < 1 sharpens toward the largest source");
    }

    [Fact]
    public void Invalid_inputs_name_the_index_at_fault()
    {
        Assert.Contains("Weight 1 is -1", Assert.Throws<ArgumentException>(() => MixtureWeights.Explicit([1, -1])).Message);
        Assert.Contains("Weight 0 is NaN", Assert.Throws<ArgumentException>(() => MixtureWeights.Explicit([double.NaN])).Message);
        Assert.Contains("Weight 2 is 0", Assert.Throws<ArgumentException>(() => MixtureWeights.Explicit([1, 2, 0])).Message);
        Assert.Contains("at least one source", Assert.Throws<ArgumentException>(() => MixtureWeights.Explicit([])).Message);
        Assert.Contains("Size 1 is 0", Assert.Throws<ArgumentException>(() => MixtureWeights.SizeProportional([5, 0])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => MixtureWeights.TemperatureScaled([5], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => MixtureWeights.TemperatureScaled([5], double.PositiveInfinity));
        Assert.Contains("Source 1's share underflows", Assert.Throws<ArgumentException>(() => MixtureWeights.TemperatureScaled([long.MaxValue, 1], 0.01)).Message);
    }

    public static TheoryData<string, double[]> Weightings => new()
    {
        { "explicit 5:3:2", MixtureWeights.Explicit([5, 3, 2]) },
        { "size-proportional", MixtureWeights.SizeProportional([7473, 1319, 500]) },
        { "temperature 2", MixtureWeights.TemperatureScaled([7473, 1319, 500], 2) },
        { "temperature 5", MixtureWeights.TemperatureScaled([7473, 1319, 500], 5) },
    };

    [Theory]
    [MemberData(nameof(Weightings))]
    public void A_hundred_thousand_draws_hit_the_declared_shares_within_one_point(string name, double[] weights)
    {
        var sources = weights.Select((w, i) => new MixtureSource<int>($"s{i}", w, _ => Forever(i))).ToArray();
        var mixture = new Mixture<int>(2024, sources);
        var counts = new int[weights.Length];
        for (int i = 0; i < Draws; i++) counts[mixture.Next()]++;

        for (int i = 0; i < weights.Length; i++)
        {
            double share = counts[i] / (double)Draws;
            Assert.True(Math.Abs(share - weights[i]) < 0.01, $"{name}: source {i} drew {share:P2}, declared {weights[i]:P2}");
            Assert.Equal(counts[i], mixture.Drawn[i]);
        }
    }

    private static IEnumerable<int> Forever(int value)
    {
        while (true) yield return value;
    }
}
