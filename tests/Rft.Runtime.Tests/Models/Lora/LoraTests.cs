using System.Text.Json;
using Rft.Models;
using Rft.Models.Formats;
using Rft.Models.Lora;
using Rft.Rollout;
using Rft.Training;
using static Rft.Runtime.Tests.Models.TensorEquality;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models.Lora;

public sealed class LoraTests : IDisposable
{
    private static readonly string[] AllTargets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rft-lora-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void The_output_is_unchanged_right_after_apply()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 21);
        var (ids, positions) = Batch();
        var before = Logits(model, ids, positions);

        LoraAdapters.Apply(model, new LoraSettings(4, 8, AllTargets), seed: 1);

        Assert.True(Same(before, Logits(model, ids, positions)));
        Assert.True(LoraAdapters.HasAdapters(model));
    }

    [Fact]
    public void Apply_adds_peft_named_adapters_of_the_right_shapes_to_the_targets_only()
    {
        using var model = TinyModels.Create();
        var baseKeys = model.state_dict().Keys.ToHashSet();

        LoraAdapters.Apply(model, new LoraSettings(Rank: 3, Alpha: 6, ["q_proj", "down_proj"]), seed: 1);
        var stateDict = model.state_dict();

        var added = stateDict.Keys.Where(k => !baseKeys.Contains(k)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
        [
            "model.layers.0.mlp.down_proj.lora_A.weight", "model.layers.0.mlp.down_proj.lora_B.weight",
            "model.layers.0.self_attn.q_proj.lora_A.weight", "model.layers.0.self_attn.q_proj.lora_B.weight",
            "model.layers.1.mlp.down_proj.lora_A.weight", "model.layers.1.mlp.down_proj.lora_B.weight",
            "model.layers.1.self_attn.q_proj.lora_A.weight", "model.layers.1.self_attn.q_proj.lora_B.weight",
        ], added);
        Assert.True(baseKeys.IsSubsetOf(stateDict.Keys));
        Assert.Equal(new long[] { 3, 32 }, stateDict["model.layers.0.self_attn.q_proj.lora_A.weight"].shape);
        Assert.Equal(new long[] { 32, 3 }, stateDict["model.layers.0.self_attn.q_proj.lora_B.weight"].shape);
        Assert.Equal(new long[] { 3, 64 }, stateDict["model.layers.1.mlp.down_proj.lora_A.weight"].shape);
        Assert.Equal(new long[] { 32, 3 }, stateDict["model.layers.1.mlp.down_proj.lora_B.weight"].shape);
        Assert.True(stateDict["model.layers.0.self_attn.q_proj.lora_B.weight"].eq(0).all().item<bool>());
        // PEFT's kaiming_uniform_(a=sqrt(5)): U(-1/sqrt(in), 1/sqrt(in)).
        var a = stateDict["model.layers.1.mlp.down_proj.lora_A.weight"];
        Assert.InRange(a.abs().max().item<float>(), 0.08, 1 / Math.Sqrt(64));
    }

    [Fact]
    public void Only_adapters_are_trainable_and_optimizer_steps_leave_base_weights_bit_identical()
    {
        using var model = TinyModels.Create(seed: 22);
        LoraAdapters.Apply(model, new LoraSettings(4, 8, AllTargets), seed: 2);
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

        foreach (var (name, parameter) in model.named_parameters())
            Assert.True(parameter.requires_grad == name.Contains(".lora_", StringComparison.Ordinal), name);
        Train(model, steps: 3);

        foreach (var (name, parameter) in model.named_parameters())
        {
            bool isBase = !name.Contains(".lora_", StringComparison.Ordinal);
            Assert.True(Same(before[name], parameter) == isBase, name);
        }
    }

    [Fact]
    public void Merge_gives_the_adapted_logits_and_plain_hugging_face_keys()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 23);
        var plainKeys = model.state_dict().Keys.Order(StringComparer.Ordinal).ToArray();
        LoraAdapters.Apply(model, new LoraSettings(4, 16, AllTargets), seed: 3);
        Train(model, steps: 4);
        var (ids, positions) = Batch();
        var adapted = Logits(model, ids, positions);
        using var baseModel = TinyModels.Create(seed: 23);
        Assert.False(Same(adapted, Logits(baseModel, ids, positions)));      // training moved the output

        LoraAdapters.Merge(model);

        Assert.True(Logits(model, ids, positions).allclose(adapted, rtol: 0, atol: 1e-5));
        Assert.Equal(plainKeys, model.state_dict().Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.False(LoraAdapters.HasAdapters(model));
    }

    [Fact]
    public void Saved_adapters_load_onto_a_fresh_base_model_with_identical_logits()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 24);
        LoraAdapters.Apply(model, new LoraSettings(2, 4, ["v_proj", "q_proj", "up_proj"], Dropout: 0.05), seed: 4);
        Train(model, steps: 3);
        var (ids, positions) = Batch();
        var adapted = Logits(model, ids, positions);

        LoraAdapters.SaveAdapters(model, _directory);
        using var fresh = TinyModels.Create(seed: 24);
        LoraAdapters.LoadAdapters(fresh, _directory);

        Assert.True(Same(adapted, Logits(fresh, ids, positions)));
        using (var file = SafetensorsFile.Open(Path.Combine(_directory, LoraAdapters.AdapterWeightsFile)))
        {
            Assert.Equal(2 * 3 * 2, file.Entries.Count);     // A and B x 3 targets x 2 layers, nothing else
            Assert.Contains("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight", file.Entries.Keys);
        }

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, LoraAdapters.AdapterConfigFile)));
        var root = config.RootElement;
        Assert.Equal(("LORA", 2, 4.0, 0.05), (root.GetProperty("peft_type").GetString(), root.GetProperty("r").GetInt32(),
            root.GetProperty("lora_alpha").GetDouble(), root.GetProperty("lora_dropout").GetDouble()));
        Assert.Equal(["q_proj", "v_proj", "up_proj"], root.GetProperty("target_modules").EnumerateArray().Select(t => t.GetString()!).ToArray());
        Assert.Equal(LoraAdapters.Settings(model)!.Targets, LoraAdapters.Settings(fresh)!.Targets);
        Assert.Equal(0.05, LoraAdapters.Settings(fresh)!.Dropout);
    }

    [Fact]
    public void Loading_adapters_of_another_rank_into_adapted_model_is_rejected()
    {
        using var model = TinyModels.Create();
        LoraAdapters.Apply(model, new LoraSettings(2, 4, ["q_proj"]), seed: 1);
        LoraAdapters.SaveAdapters(model, _directory);
        using var other = TinyModels.Create();
        LoraAdapters.Apply(other, new LoraSettings(4, 4, ["q_proj"]), seed: 1);

        var error = Assert.Throws<InvalidOperationException>(() => LoraAdapters.LoadAdapters(other, _directory));

        Assert.Contains("rank 2 on [q_proj] does not match the model's adapters, rank 4 on [q_proj]", error.Message);
    }

    [Fact]
    public void An_adapter_directory_with_an_unknown_target_or_a_missing_tensor_is_rejected_with_the_file()
    {
        using var model = TinyModels.Create();
        LoraAdapters.Apply(model, new LoraSettings(2, 4, ["q_proj", "k_proj"]), seed: 1);
        LoraAdapters.SaveAdapters(model, _directory);
        string configPath = Path.Combine(_directory, LoraAdapters.AdapterConfigFile);
        string config = File.ReadAllText(configPath);

        File.WriteAllText(configPath, config.Replace("\"k_proj\"", "\"qkv\"", StringComparison.Ordinal));
        using (var fresh = TinyModels.Create())
        {
            var error = Assert.Throws<FormatException>(() => LoraAdapters.LoadAdapters(fresh, _directory));
            Assert.Contains(configPath, error.Message);
            Assert.Contains("Unknown LoRA target \"qkv\"; valid targets are q_proj", error.Message);
        }

        File.WriteAllText(configPath, config.Replace("\"k_proj\"", "\"v_proj\"", StringComparison.Ordinal));
        using (var fresh = TinyModels.Create())
        {
            var error = Assert.Throws<FormatException>(() => LoraAdapters.LoadAdapters(fresh, _directory));
            Assert.Contains(LoraAdapters.AdapterWeightsFile + ": lacks 4 adapter tensor(s): model.layers.0.self_attn.v_proj.lora_A.weight", error.Message);
        }
    }

    [Fact]
    public void The_trainable_share_is_the_adapter_count_over_all_parameters()
    {
        using var model = TinyModels.Create();     // hidden 32, intermediate 64, 2 layers, q 32 x 32, k/v 16 x 32, vocab 16
        LoraAdapters.Apply(model, new LoraSettings(2, 4, AllTargets), seed: 1);

        // Per layer, r * (in + out): q 2*(32+32) + k 2*(32+16) + v 2*(32+16) + o 2*(32+32) + gate/up/down 3 * 2*(32+64).
        const long adapters = 2 * (128 + 96 + 96 + 128 + 3 * 192);
        // Per layer: q 1024 + k 512 + v 512 + o 1024 + gate/up/down 3 * 2048 + two norms 64; plus embedding, lm_head, final norm.
        const long baseWeights = 2 * (1024 + 512 + 512 + 1024 + 3 * 2048 + 64) + 512 + 512 + 32;
        Assert.Equal((double)adapters / (adapters + baseWeights), LoraAdapters.TrainableParameterShare(model), 12);
        Assert.Equal(2048, adapters);
    }

    [Fact]
    public void An_unknown_target_is_rejected_with_the_valid_ones()
    {
        using var model = TinyModels.Create();

        var error = Assert.Throws<ArgumentException>(() => LoraAdapters.Apply(model, new LoraSettings(4, 8, ["q_proj", "qkv_proj"]), seed: 1));

        Assert.Contains("Unknown LoRA target \"qkv_proj\"; valid targets are q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj", error.Message);
        Assert.False(LoraAdapters.HasAdapters(model));
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void Greedy_sampling_with_the_kv_cache_matches_the_full_forward_of_the_adapted_model()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 25);
        LoraAdapters.Apply(model, new LoraSettings(4, 16, AllTargets), seed: 5);
        Train(model, steps: 3);
        var tokenizer = TinyModels.Tokenizer();
        using var sampler = new Sampler(model, tokenizer, maxRows: 8, maxPromptTokens: 8, maxNewTokens: 6);
        var prompts = new PromptBatch(maxPrompts: 4, maxPromptTokens: 8);
        foreach (var text in new[] { "abcdefg", "hb", "c" }) prompts.Add(text, tokenizer);

        var rollout = sampler.Generate(prompts, samplesPerPrompt: 2, SamplingSettings.Greedy(6), new Generator(1));

        using var _ = no_grad();
        var predicted = model.Forward(rollout.Sequences, rollout.PositionIds, rollout.AttentionMask)
            .narrow(1, rollout.PromptLength - 1, rollout.CompletionLength).argmax(-1);
        var generated = rollout.Sequences.narrow(1, rollout.PromptLength, rollout.CompletionLength);
        var real = rollout.CompletionMask.to(ScalarType.Bool);
        Assert.True(Same(predicted.masked_select(real), generated.masked_select(real)));
    }

    [Fact]
    public void A_frozen_copy_and_a_saved_checkpoint_keep_the_adapted_function()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 26);
        LoraAdapters.Apply(model, new LoraSettings(4, 8, ["q_proj", "o_proj", "gate_proj"]), seed: 6);
        Train(model, steps: 3);
        var (ids, positions) = Batch();
        var adapted = Logits(model, ids, positions);

        using var copy = model.CreateFrozenCopy();
        HuggingFaceCheckpoint.Save(model, _directory);
        using var reloaded = HuggingFaceCheckpoint.Load(_directory);

        Assert.True(Same(adapted, Logits(copy, ids, positions)));
        Assert.All(copy.parameters(), p => Assert.False(p.requires_grad));
        Assert.True(Logits(reloaded, ids, positions).allclose(adapted, rtol: 0, atol: 1e-5));
        Assert.True(LoraAdapters.HasAdapters(model));                                              // saving merged a copy, not the model
    }

    [Fact]
    public void Dropout_masks_come_from_the_models_own_seeded_stream_not_libtorchs_default_generator()
    {
        using var scope = NewDisposeScope();
        var (ids, positions) = Batch();

        // A training forward with gradients on: dropout acts. Anything else drawing from libtorch's default generator in
        // between (another trainer in the process, a test beside this one) must not change the masks.
        Tensor TrainingLogits(LlamaForCausalLM model, bool disturb)
        {
            if (disturb)
            {
                manual_seed(99);
                rand(1000);
            }

            return model.Forward(ids, positions, attentionMask: null).detach();
        }

        LlamaForCausalLM Adapted()
        {
            var model = TinyModels.Create(seed: 21);
            LoraAdapters.Apply(model, new LoraSettings(4, 8, AllTargets, Dropout: 0.5), seed: 3);
            using (no_grad())
            {
                foreach (var (name, parameter) in model.named_parameters())
                    if (name.EndsWith(".lora_B.weight", StringComparison.Ordinal)) parameter.fill_(0.05);   // B = 0 would hide the masks
            }

            model.train();
            return model;
        }

        using var first = Adapted();
        using var second = Adapted();
        var a1 = TrainingLogits(first, disturb: false);
        var a2 = TrainingLogits(first, disturb: false);
        var b1 = TrainingLogits(second, disturb: true);
        var b2 = TrainingLogits(second, disturb: true);

        Assert.False(Same(a1, a2), "dropout drew the same masks twice: it did not act");
        Assert.True(Same(a1, b1) && Same(a2, b2), "the masks depended on libtorch's default generator");
        Assert.NotNull(first.DropoutRandom.Generator);
    }

    private static (Tensor Ids, Tensor Positions) Batch()
    {
        var ids = tensor(new long[] { 1, 5, 6, 7, 8, 9, 3, 1, 4, 4, 10, 12, 2, 15 }, [2, 7]);
        var positions = arange(7, ScalarType.Int64).unsqueeze(0).expand(2, 7);
        return (ids, positions);
    }

    private static Tensor Logits(LlamaForCausalLM model, Tensor ids, Tensor positions)
    {
        using var _ = no_grad();
        return model.Forward(ids, positions, attentionMask: null);
    }

    /// <summary>A few AdamW steps on next-token cross-entropy over a fixed batch.</summary>
    private static void Train(LlamaForCausalLM model, int steps)
    {
        var settings = new OptimizerSettings(LearningRate: 1e-2, WeightDecay: 0.1, MaxGradNorm: 1.0, WarmupSteps: 0, TotalSteps: steps, MinLearningRateRatio: 1.0);
        using var optimizer = new PolicyOptimizer(model, settings);
        for (int step = 1; step <= steps; step++)
        {
            using var scope = NewDisposeScope();
            var (ids, positions) = Batch();
            optimizer.ZeroGrad();
            var logits = model.Forward(ids.narrow(1, 0, 6), positions.narrow(1, 0, 6), attentionMask: null);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), ids.narrow(1, 1, 6).reshape(-1));
            loss.backward();
            optimizer.Step(step);
        }
    }
}
