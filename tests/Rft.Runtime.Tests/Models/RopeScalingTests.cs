using Rft.Models;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models;

/// <summary>inv_freq of each RoPE scaling type against values worked out by hand from transformers' modeling_rope_utils.py.</summary>
public sealed class RopeScalingTests
{
    // head_dim 8, theta 10000: inv_freq_i = 10000^(-2i/8) = 1, 0.1, 0.01, 0.001.
    private static readonly double[] Unscaled = [1, 0.1, 0.01, 0.001];

    [Fact]
    public void Unscaled_frequencies_are_theta_to_the_minus_two_i_over_d()
    {
        AssertClose(Unscaled, RopeScaling.InverseFrequencies(8, 10000, scaling: null));
    }

    [Fact]
    public void Linear_scaling_divides_every_frequency_by_the_factor()
    {
        var scaling = new RopeScaling(RopeScalingType.Linear, Factor: 4);
        AssertClose([0.25, 0.025, 0.0025, 0.00025], RopeScaling.InverseFrequencies(8, 10000, scaling));
    }

    [Fact]
    public void Llama3_keeps_high_frequencies_divides_low_ones_and_blends_the_middle()
    {
        // original 1024, low 1, high 4: wavelengths 2 pi / inv_freq = 6.28, 62.8 (< 1024 / 4 = 256: kept),
        // 628.3 (between 256 and 1024: smooth = (1024 / 628.3 - 1) / (4 - 1), inv = (1 - smooth) inv / 8 + smooth inv),
        // 6283 (> 1024 / 1: inv / 8).
        var scaling = new RopeScaling(RopeScalingType.Llama3, Factor: 8, OriginalMaxPositions: 1024, LowFreqFactor: 1, HighFreqFactor: 4);
        double smooth = (1024 / (2 * Math.PI / 0.01) - 1) / 3;
        double middle = (1 - smooth) * 0.01 / 8 + smooth * 0.01;
        Assert.Equal(0.00308676096701, middle, 1e-12);
        AssertClose([1, 0.1, middle, 0.001 / 8], RopeScaling.InverseFrequencies(8, 10000, scaling));
    }

    [Fact]
    public void Dynamic_ntk_grows_the_base_only_beyond_the_original_context()
    {
        var scaling = new RopeScaling(RopeScalingType.Dynamic, Factor: 2, OriginalMaxPositions: 16);
        AssertClose(Unscaled, RopeScaling.InverseFrequencies(8, 10000, scaling, sequenceLength: 16));
        // 32 positions: base = 10000 (2 * 32 / 16 - 1)^(8 / 6) = 10000 * 3^(4/3), so inv_freq_i = 10000^(-i/4) 3^(-i/3).
        AssertClose([1, 0.1 / Math.Cbrt(3), 0.01 / Math.Cbrt(9), 0.001 / 3], RopeScaling.InverseFrequencies(8, 10000, scaling, sequenceLength: 32));
        Assert.Equal(0.000333333333333, RopeScaling.InverseFrequencies(8, 10000, scaling, sequenceLength: 32)[3], 1e-12);
    }

    [Fact]
    public void Dynamic_scaling_changes_the_logits_only_of_sequences_longer_than_the_original_context()
    {
        using var scope = NewDisposeScope();
        var plain = TinyModels.Config() with { MaxPositions = 64 };
        using var model = Sharpened(LlamaForCausalLM.Create(plain, seed: 5));
        using var dynamic = Sharpened(LlamaForCausalLM.Create(plain with { RopeScaling = new RopeScaling(RopeScalingType.Dynamic, 2, OriginalMaxPositions: 16) }, seed: 5));
        var ids = randint(3, 16, [1, 24], dtype: ScalarType.Int64, generator: new TorchSharp.torch.Generator(1));

        var shortIds = ids.narrow(1, 0, 16);
        var shortPositions = arange(16, dtype: ScalarType.Int64).unsqueeze(0);
        Assert.True(model.Forward(shortIds, shortPositions, null).allclose(dynamic.Forward(shortIds, shortPositions, null), rtol: 0, atol: 1e-6));

        var longPositions = arange(24, dtype: ScalarType.Int64).unsqueeze(0);
        var a = model.Forward(ids, longPositions, null);
        var b = dynamic.Forward(ids, longPositions, null);
        Assert.False(a.allclose(b, rtol: 0, atol: 1e-4));
        // Exactly the unscaled model with the NTK base for 24 positions: theta (2 * 24 / 16 - 1)^(d / (d - 2)).
        int d = plain.HeadDim;
        using var rebased = Sharpened(LlamaForCausalLM.Create(plain with { RopeTheta = 10000 * Math.Pow(2.0 * 24 / 16 - 1, d / (d - 2.0)) }, seed: 5));
        Assert.True(b.allclose(rebased.Forward(ids, longPositions, null), rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Linear_scaling_equals_dividing_the_position_ids_by_the_factor()
    {
        using var scope = NewDisposeScope();
        var plain = TinyModels.Config();
        using var model = LlamaForCausalLM.Create(plain, seed: 5);
        using var linear = LlamaForCausalLM.Create(plain with { RopeScaling = new RopeScaling(RopeScalingType.Linear, 2) }, seed: 5);
        var ids = tensor(new long[] { 1, 5, 6, 7, 8, 9 }, [1, 6]);
        var even = tensor(new long[] { 0, 2, 4, 6, 8, 10 }, [1, 6]);
        var halved = tensor(new long[] { 0, 1, 2, 3, 4, 5 }, [1, 6]);
        Assert.True(linear.Forward(ids, even, null).allclose(model.Forward(ids, halved, null), rtol: 0, atol: 1e-5));
    }

    // Initial weights (std 0.02) make attention nearly uniform, so positions barely move the logits: scaling the
    // query and key projections makes attention, hence rotary positions, matter.
    internal static LlamaForCausalLM Sharpened(LlamaForCausalLM model)
    {
        using var _ = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (name.EndsWith("q_proj.weight", StringComparison.Ordinal) || name.EndsWith("k_proj.weight", StringComparison.Ordinal)) parameter.mul_(30);
        }

        return model;
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])), $"inv_freq[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }
}
