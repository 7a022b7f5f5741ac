using Rft.Models;
using Rft.Rollout;
using static Rft.Runtime.Tests.Models.TensorEquality;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models;

public class LlamaForCausalLMTests
{
    [Fact]
    public void State_dict_keys_and_shapes_match_hugging_face_llama()
    {
        using var model = TinyModels.Create();
        var expected = new Dictionary<string, long[]>
        {
            ["model.embed_tokens.weight"] = [16, 32],
            ["model.norm.weight"] = [32],
            ["lm_head.weight"] = [16, 32],
        };
        for (int i = 0; i < 2; i++)
        {
            var layer = $"model.layers.{i}.";
            expected[layer + "self_attn.q_proj.weight"] = [32, 32];
            expected[layer + "self_attn.k_proj.weight"] = [16, 32];     // 2 kv heads x head dim 8
            expected[layer + "self_attn.v_proj.weight"] = [16, 32];
            expected[layer + "self_attn.o_proj.weight"] = [32, 32];
            expected[layer + "mlp.gate_proj.weight"] = [64, 32];
            expected[layer + "mlp.up_proj.weight"] = [64, 32];
            expected[layer + "mlp.down_proj.weight"] = [32, 64];
            expected[layer + "input_layernorm.weight"] = [32];
            expected[layer + "post_attention_layernorm.weight"] = [32];
        }

        var stateDict = model.state_dict();

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), stateDict.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, shape) in expected) Assert.Equal(shape, stateDict[key].shape);
    }

    [Fact]
    public void Tied_embeddings_have_no_lm_head_and_project_with_the_embedding()
    {
        using var model = LlamaForCausalLM.Create(TinyModels.Config(tied: true), seed: 1);
        var stateDict = model.state_dict();

        Assert.DoesNotContain("lm_head.weight", stateDict.Keys);
        Assert.Equal(stateDict["model.embed_tokens.weight"].storage<float>().data_ptr(), model.LmHeadWeight.storage<float>().data_ptr());
    }

    [Fact]
    public void Create_is_deterministic_for_a_seed_and_initialises_like_hugging_face()
    {
        using var a = TinyModels.Create(seed: 7);
        using var b = TinyModels.Create(seed: 7);
        using var c = TinyModels.Create(seed: 8);
        var sa = a.state_dict();
        var sb = b.state_dict();
        var sc = c.state_dict();

        foreach (var key in sa.Keys) Assert.True(Same(sa[key], sb[key]), key);
        Assert.False(Same(sa["model.layers.0.self_attn.q_proj.weight"], sc["model.layers.0.self_attn.q_proj.weight"]));
        Assert.True(sa["model.norm.weight"].eq(1).all().item<bool>());
        double std = sa["model.layers.1.mlp.up_proj.weight"].std().item<float>();
        Assert.InRange(std, 0.017, 0.023);
    }

    [Fact]
    public void Incremental_decoding_with_the_cache_matches_the_full_forward_on_left_padded_rows()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create();
        // Three rows of 7, 4 and 1 real tokens, left-padded to 7.
        var (ids, mask, positions) = LeftPadded([[1, 5, 6, 7, 8, 9, 3], [1, 4, 4, 10], [1]], length: 7);
        var full = model.Forward(ids, positions, mask);                          // [3, 7, V]
        Assert.False(full.isnan().any().item<bool>());

        using var cache = new KvCache(model.Config, maxRows: 4, maxLength: 10);
        const int prefill = 3;
        cache.AttentionMask.narrow(0, 0, 3).narrow(1, 0, 7).copy_(mask);
        var cached = new List<Tensor> { model.ForwardCached(ids.narrow(1, 0, prefill), positions.narrow(1, 0, prefill), cache, 0) };
        for (int slot = prefill; slot < 7; slot++)
            cached.Add(model.ForwardCached(ids.narrow(1, slot, 1), positions.narrow(1, slot, 1), cache, slot));
        var incremental = cat(cached, 1);                                         // [3, 7, V]

        var real = mask.unsqueeze(-1).expand_as(full);
        var difference = (full - incremental).abs().masked_select(real).max().item<float>();
        Assert.True(difference < 1e-5, $"max |full - cached| = {difference}");
    }

    [Fact]
    public void A_left_padded_row_gives_the_same_logits_as_the_unpadded_prompt()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create();
        int[] prompt = [1, 8, 3, 12, 5];
        var (padded, mask, positions) = LeftPadded([[1, 4, 4, 4, 4, 4, 4, 4], prompt], length: 8);
        var (alone, _, alonePositions) = LeftPadded([prompt], length: 5);

        var paddedLogits = model.Forward(padded, positions, mask)[1].narrow(0, 3, 5);
        var aloneLogits = model.Forward(alone, alonePositions, attentionMask: null)[0];

        var difference = (paddedLogits - aloneLogits).abs().max().item<float>();
        Assert.True(difference < 1e-5, $"max |padded - unpadded| = {difference}");
    }

    [Fact]
    public void Position_ids_drive_the_rotary_embedding()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create();
        var ids = tensor(new long[] { 1, 5, 6, 7 }, [1, 4]);
        var contiguous = model.Forward(ids, tensor(new long[] { 0, 1, 2, 3 }, [1, 4]), attentionMask: null);
        var gap = model.Forward(ids, tensor(new long[] { 0, 1, 2, 9 }, [1, 4]), attentionMask: null);
        var shifted = model.Forward(ids, tensor(new long[] { 5, 6, 7, 8 }, [1, 4]), attentionMask: null);

        // Before the gap nothing changes; after it the relative distances, hence the logits, do.
        Assert.True(contiguous.narrow(1, 0, 3).allclose(gap.narrow(1, 0, 3), rtol: 0, atol: 1e-6));
        Assert.False(contiguous[0, 3].allclose(gap[0, 3], rtol: 0, atol: 1e-4));
        // Rotary attention depends only on distances: a constant shift leaves the logits alone.
        Assert.True(contiguous.allclose(shifted, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Forward_hidden_times_the_head_weight_equals_forward()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create();
        var (ids, mask, positions) = LeftPadded([[1, 5, 6], [1, 7]], length: 3);

        var logits = model.Forward(ids, positions, mask);
        var viaHidden = model.ForwardHidden(ids, positions, mask).matmul(model.LmHeadWeight.t());

        Assert.True(logits.allclose(viaHidden, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Gradients_reach_every_parameter()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create();
        var (ids, mask, positions) = LeftPadded([[1, 5, 6, 9], [1, 7]], length: 4);

        model.Forward(ids, positions, mask).log_softmax(-1).select(2, 4).sum().backward();

        foreach (var (name, parameter) in model.named_parameters())
        {
            Assert.NotNull(parameter.grad);
            Assert.True(parameter.grad!.abs().sum().item<float>() > 0, name);
        }
    }

    [Fact]
    public void A_frozen_copy_keeps_the_weights_it_was_taken_with()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create();
        var (ids, mask, positions) = LeftPadded([[1, 5, 6, 7]], length: 4);
        var before = model.Forward(ids, positions, mask);

        using var frozen = model.CreateFrozenCopy();
        Assert.All(frozen.parameters(), p => Assert.False(p.requires_grad));
        Assert.False(frozen.training);
        Assert.True(Same(frozen.Forward(ids, positions, mask), before));

        using (no_grad())
        {
            foreach (var parameter in model.parameters()) parameter.add_(0.5);
        }

        Assert.True(Same(frozen.Forward(ids, positions, mask), before));
        Assert.False(model.Forward(ids, positions, mask).allclose(before));
    }

    [Fact]
    public void An_inconsistent_config_is_reported_field_by_field()
    {
        var config = new LlamaConfig(16, HiddenSize: 30, IntermediateSize: 64, NumLayers: 2, NumHeads: 4, NumKvHeads: 3, MaxPositions: 64);

        var error = Assert.Throws<ArgumentException>(() => LlamaForCausalLM.Create(config, 1));

        Assert.Contains("HiddenSize = 30 must be a multiple of NumHeads = 4", error.Message);
        Assert.Contains("NumHeads = 4 must be a multiple of NumKvHeads = 3", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_forward_leaves_the_same_tensors_in_its_scope_whatever_the_number_of_layers(bool withGrad)
    {
        // Each layer runs in its own dispose scope, so a forward without a graph holds one layer's activations at a time
        // and a training forward keeps only what autograd saved: what stays in the caller's scope cannot grow with depth.
        int Left(int layers)
        {
            using var model = new LlamaModel(TinyModels.Config() with { NumLayers = layers });
            using var grad = set_grad_enabled(withGrad);
            using var scope = NewDisposeScope();
            var ids = tensor(new long[] { 1, 5, 7, 3, 2, 9, 4, 6 }, [2, 4]);
            var positions = arange(4).unsqueeze(0).expand(2, 4);
            var mask = tensor(new[] { false, true, true, true, true, true, true, true }, [2, 4]);
            int before = scope.DisposablesCount;
            model.Forward(ids, positions, mask, cache: null, offset: 0);
            return scope.DisposablesCount - before;
        }

        Assert.Equal(Left(2), Left(6));
    }

    /// <summary>Left-pads token rows to <paramref name="length"/>: ids (pad 0), mask, positions counting real tokens from 0.</summary>
    internal static (Tensor Ids, Tensor Mask, Tensor Positions) LeftPadded(int[][] rows, int length)
    {
        var ids = new long[rows.Length * length];
        var mask = new bool[rows.Length * length];
        var positions = new long[rows.Length * length];
        for (int r = 0; r < rows.Length; r++)
        {
            int pad = length - rows[r].Length;
            for (int j = 0; j < rows[r].Length; j++)
            {
                ids[r * length + pad + j] = rows[r][j];
                mask[r * length + pad + j] = true;
                positions[r * length + pad + j] = j;
            }
        }

        return (tensor(ids, [rows.Length, length]), tensor(mask, [rows.Length, length]), tensor(positions, [rows.Length, length]));
    }
}
