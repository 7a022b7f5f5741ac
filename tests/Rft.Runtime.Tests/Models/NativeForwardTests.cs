using Rft.Models;
using Rft.Models.Lora;
using Rft.Rollout;
using Rft.Training;
using Rft.Training.Forward;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models;

/// <summary>
/// Forwards of more than one position run on native handles (<c>LlamaModel.ForwardNative</c>); the managed layers remain
/// for gradient checkpointing, LoRA dropout and dynamic rotary scaling. The two must agree bit for bit, gradients included.
/// </summary>
public sealed class NativeForwardTests
{
    public static TheoryData<string> Shapes => ["grouped-query", "qkv-bias-and-sliding-window", "tied"];

    private static LlamaConfig Config(string shape) => shape switch
    {
        "grouped-query" => TinyModels.Config(),
        "qkv-bias-and-sliding-window" => TinyModels.Config() with { NumLayers = 3, QkvBias = true, SlidingWindow = 3, MaxWindowLayers = 1 },
        "tied" => TinyModels.Config(tied: true),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Hidden_states_and_gradients_are_the_managed_layers_bit_for_bit(string shape)
    {
        using var scope = NewDisposeScope();
        using var native = LlamaForCausalLM.Create(Config(shape), seed: 11);
        using var managed = LlamaForCausalLM.Create(Config(shape), seed: 11);
        managed.NativeForward = false;
        var rows = LeftPaddedRows();

        using (no_grad())
        {
            var a = native.ForwardHidden(rows.Sequences, rows.PositionIds, rows.AttentionMask);
            var b = managed.ForwardHidden(rows.Sequences, rows.PositionIds, rows.AttentionMask);
            Assert.True(TensorEquality.Same(a, b), "hidden states without a graph");
        }

        Loss(native, rows).backward();
        Loss(managed, rows).backward();
        AssertSameGradients(native, managed);
    }

    [Fact]
    public void LoRA_adapters_active_and_suspended_give_the_managed_results()
    {
        using var scope = NewDisposeScope();
        using var native = TinyModels.Create(seed: 12);
        using var managed = TinyModels.Create(seed: 12);
        managed.NativeForward = false;
        var settings = new LoraSettings(4, 8, ["q_proj", "v_proj", "o_proj", "up_proj", "down_proj"]);
        LoraAdapters.Apply(native, settings, seed: 3);
        LoraAdapters.Apply(managed, settings, seed: 3);
        using (no_grad())
        {
            // B starts at zero: give the adapters something to add.
            foreach (var (model, seed) in new[] { (native, 5L), (managed, 5L) })
            {
                using var generator = new Generator((ulong)seed);
                foreach (var (name, parameter) in model.named_parameters().Where(p => p.name.Contains("lora_B"))) parameter.copy_(randn(parameter.shape, generator: generator) * 0.1);
            }
        }

        var rows = LeftPaddedRows();
        Loss(native, rows).backward();
        Loss(managed, rows).backward();
        AssertSameGradients(native, managed);

        using (no_grad())
        {
            var adapted = native.ForwardHidden(rows.Sequences, rows.PositionIds, rows.AttentionMask);
            using (LoraAdapters.Suspend(native))
            using (LoraAdapters.Suspend(managed))
            {
                var a = native.ForwardHidden(rows.Sequences, rows.PositionIds, rows.AttentionMask);
                var b = managed.ForwardHidden(rows.Sequences, rows.PositionIds, rows.AttentionMask);
                Assert.True(TensorEquality.Same(a, b), "suspended adapters: the base model");
                Assert.False(TensorEquality.Same(a, adapted), "a suspended adapter adds nothing");
            }
        }
    }

    [Fact]
    public void A_prefill_writes_the_same_cache_and_hidden_states()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Config();
        using var native = LlamaForCausalLM.Create(config, seed: 13);
        using var managed = LlamaForCausalLM.Create(config, seed: 13);
        managed.NativeForward = false;
        using var nativeCache = new KvCache(config, 3, 12);
        using var managedCache = new KvCache(config, 3, 12);
        var rows = LeftPaddedRows();
        using (no_grad())
        {
            foreach (var cache in new[] { nativeCache, managedCache }) cache.AttentionMask.narrow(0, 0, 2).narrow(1, 0, 6).copy_(rows.AttentionMask);
            var a = native.ForwardCachedHidden(rows.Sequences, rows.PositionIds, nativeCache, 0);
            var b = managed.ForwardCachedHidden(rows.Sequences, rows.PositionIds, managedCache, 0);
            Assert.True(TensorEquality.Same(a, b), "prefill hidden states");
            for (int layer = 0; layer < config.NumLayers; layer++)
            {
                Assert.True(TensorEquality.Same(nativeCache.Keys(layer), managedCache.Keys(layer)), $"layer {layer} keys");
                Assert.True(TensorEquality.Same(nativeCache.Values(layer), managedCache.Values(layer)), $"layer {layer} values");
            }
        }
    }

    [Fact]
    public void A_forward_allocates_one_managed_tensor_where_the_managed_layers_allocate_one_per_operation()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 14);
        var rows = LeftPaddedRows();
        long Bytes()
        {
            using var step = NewDisposeScope();
            using var _ = no_grad();
            model.ForwardHidden(rows.Sequences, rows.PositionIds, rows.AttentionMask);   // warm
            long before = GC.GetAllocatedBytesForCurrentThread();
            model.ForwardHidden(rows.Sequences, rows.PositionIds, rows.AttentionMask);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        long native = Bytes();
        model.NativeForward = false;
        long managed = Bytes();
        Assert.InRange(native, 0, 1024);
        Assert.True(managed > 10 * native, $"managed {managed} bytes, native {native}");
    }

    // Two rows of six tokens, the second left-padded by two.
    private static SequenceRows LeftPaddedRows()
    {
        var ids = tensor(new long[] { 1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10 }, [2, 6]);
        var mask = tensor(new[] { true, true, true, true, true, true, false, false, true, true, true, true }, [2, 6]);
        var positions = tensor(new long[] { 0, 1, 2, 3, 4, 5, 0, 0, 0, 1, 2, 3 }, [2, 6]);
        return new SequenceRows(ids, mask, positions, PromptLength: 3, CompletionLength: 3);
    }

    private static Tensor Loss(LlamaForCausalLM model, SequenceRows rows) =>
        -PolicyForward.LogProbs(model, rows, 1.0, withEntropy: false).LogProbs.mean();

    private static void AssertSameGradients(LlamaForCausalLM native, LlamaForCausalLM managed)
    {
        var names = managed.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        int compared = 0;
        foreach (var (name, parameter) in native.named_parameters())
        {
            if (!parameter.requires_grad) continue;
            Assert.NotNull(parameter.grad);
            Assert.True(TensorEquality.Same(parameter.grad!, names[name].grad!), $"{name}'s gradient");
            compared++;
        }

        Assert.True(compared > 0);
    }
}
