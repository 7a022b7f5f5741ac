using Rft.Models;
using Rft.Rollout;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models;

/// <summary>Sliding-window attention (Mistral, Qwen2): a token sees at most the last W positions, itself included.</summary>
public sealed class SlidingWindowTests
{
    private const int Window = 3;

    private static LlamaConfig OneLayer(int? window) => TinyModels.Config() with { NumLayers = 1, SlidingWindow = window };

    [Fact]
    public void With_one_layer_each_position_sees_exactly_the_last_W_tokens()
    {
        // One layer: the output at q depends on the tokens q - W + 1 .. q only, so it equals a full-attention run on just
        // those tokens with their original position ids (the window as an explicit mask over the sequence).
        using var scope = NewDisposeScope();
        using var windowed = LlamaForCausalLM.Create(OneLayer(Window), seed: 9);
        using var full = LlamaForCausalLM.Create(OneLayer(null), seed: 9);
        var ids = tensor(new long[] { 1, 5, 6, 7, 8, 9, 3, 12 }, [1, 8]);
        var positions = arange(8, dtype: ScalarType.Int64).unsqueeze(0);
        var logits = windowed.Forward(ids, positions, null);

        for (int q = 0; q < 8; q++)
        {
            int start = Math.Max(0, q - Window + 1);
            var manual = full.Forward(ids.narrow(1, start, q - start + 1), positions.narrow(1, start, q - start + 1), null)[0, -1];
            var difference = (logits[0, q] - manual).abs().max().item<float>();
            Assert.True(difference < 1e-5, $"position {q}: max |windowed - masked by hand| = {difference}");
        }

        // Beyond the window the full model differs: the test can tell a window from none.
        Assert.False(logits[0, 7].allclose(full.Forward(ids, positions, null)[0, 7], rtol: 0, atol: 1e-4));
        Assert.True(logits[0, 2].allclose(full.Forward(ids, positions, null)[0, 2], rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Qwen2_max_window_layers_keeps_full_attention_below_it()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Config() with { SlidingWindow = Window };
        using var allWindowed = LlamaForCausalLM.Create(config, seed: 4);
        using var secondOnly = LlamaForCausalLM.Create(config with { MaxWindowLayers = 1 }, seed: 4);
        using var none = LlamaForCausalLM.Create(config with { MaxWindowLayers = 2 }, seed: 4);
        using var unwindowed = LlamaForCausalLM.Create(config with { SlidingWindow = null }, seed: 4);
        var ids = tensor(new long[] { 1, 5, 6, 7, 8, 9, 3, 12 }, [1, 8]);
        var positions = arange(8, dtype: ScalarType.Int64).unsqueeze(0);

        var reference = unwindowed.Forward(ids, positions, null);
        Assert.True(none.Forward(ids, positions, null).allclose(reference, rtol: 0, atol: 1e-6));
        var mixed = secondOnly.Forward(ids, positions, null);
        Assert.False(mixed.allclose(reference, rtol: 0, atol: 1e-4));
        Assert.False(mixed.allclose(allWindowed.Forward(ids, positions, null), rtol: 0, atol: 1e-4));
    }

    [Fact]
    public void Cached_decoding_equals_the_full_forward_on_left_padded_rows()
    {
        using var scope = NewDisposeScope();
        using var model = LlamaForCausalLM.Create(TinyModels.Config() with { SlidingWindow = Window, MaxWindowLayers = 1 }, seed: 6);
        // Rows of 9, 5 and 2 real tokens, left-padded to 9.
        long[][] rows = [[1, 5, 6, 7, 8, 9, 3, 12, 4], [1, 4, 4, 10, 11], [1, 2]];
        const int length = 9;
        var ids = zeros([3, length], ScalarType.Int64);
        var mask = zeros([3, length], ScalarType.Bool);
        var positions = zeros([3, length], ScalarType.Int64);
        for (int r = 0; r < rows.Length; r++)
        {
            int pad = length - rows[r].Length;
            ids[r].narrow(0, pad, rows[r].Length).copy_(tensor(rows[r]));
            mask[r].narrow(0, pad, rows[r].Length).fill_(true);
            positions[r].narrow(0, pad, rows[r].Length).copy_(arange(rows[r].Length, dtype: ScalarType.Int64));
        }

        var full = model.Forward(ids, positions, mask);
        using var cache = new KvCache(model.Config, maxRows: 3, maxLength: 12);
        cache.AttentionMask.narrow(0, 0, 3).narrow(1, 0, length).copy_(mask);
        const int prefill = 4;
        var cached = new List<Tensor> { model.ForwardCached(ids.narrow(1, 0, prefill), positions.narrow(1, 0, prefill), cache, 0) };
        for (int slot = prefill; slot < length; slot++)
            cached.Add(model.ForwardCached(ids.narrow(1, slot, 1), positions.narrow(1, slot, 1), cache, slot));
        var incremental = cat(cached, 1);

        var real = mask.unsqueeze(-1).expand_as(full);
        var difference = (full - incremental).abs().masked_select(real).max().item<float>();
        Assert.True(difference < 1e-5, $"max |full - cached| = {difference}");

        // The window matters here: the unwindowed model gives other logits for the long row.
        using var unwindowed = LlamaForCausalLM.Create(TinyModels.Config(), seed: 6);
        Assert.False(unwindowed.Forward(ids, positions, mask)[0].allclose(full[0], rtol: 0, atol: 1e-4));
    }
}
