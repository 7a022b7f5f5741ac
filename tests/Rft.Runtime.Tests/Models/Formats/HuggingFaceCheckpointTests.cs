using System.Text.Json.Nodes;
using Rft.Models;
using Rft.Models.Formats;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models.Formats;

public sealed class HuggingFaceCheckpointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rft-hf-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Save_then_load_gives_bit_identical_logits(bool tied)
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Config(vocabSize: 40, tied: tied) with { RopeTheta = 500000, RmsNormEps = 1e-6 };
        using var original = LlamaForCausalLM.Create(config, seed: 5);
        HuggingFaceCheckpoint.Save(original, _directory);

        using var loaded = HuggingFaceCheckpoint.Load(_directory);

        Assert.Equal(config, loaded.Config);
        using var weights = SafetensorsFile.Open(Path.Combine(_directory, HuggingFaceCheckpoint.WeightsFile));
        Assert.Equal(!tied, weights.Entries.ContainsKey("lm_head.weight"));
        var ids = tensor(new long[] { 1, 5, 6, 7, 12, 3, 39, 9, 9, 4, 15, 2 }, [2, 6]);
        var positions = arange(6L).unsqueeze(0).expand(2, 6);
        using var noGrad = no_grad();
        Assert.True(TensorEquality.Same(original.Forward(ids, positions, null), loaded.Forward(ids, positions, null)));
    }

    [Fact]
    public void Qwen2_shaped_model_with_qkv_biases_round_trips_and_its_biases_count()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Config(vocabSize: 40, tied: true) with { QkvBias = true, RopeTheta = 1000000, RmsNormEps = 1e-6 };
        using var original = LlamaForCausalLM.Create(config, seed: 11);
        var ids = tensor(new long[] { 1, 5, 6, 7, 12, 3 }, [1, 6]);
        var positions = arange(6L).unsqueeze(0);
        using var noGrad = no_grad();
        var withoutBias = original.Forward(ids, positions, null);
        var biases = original.named_parameters().Where(p => p.name.EndsWith(".bias", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3 * config.NumLayers, biases.Length);
        Assert.All(biases, b => Assert.Matches(@"self_attn\.[qkv]_proj\.bias$", b.name));
        using (var generator = new TorchSharp.torch.Generator(3))
        {
            foreach (var (_, bias) in biases) bias.normal_(0, 0.5, generator);
        }

        var withBias = original.Forward(ids, positions, null);
        Assert.False(TensorEquality.Same(withoutBias, withBias));

        HuggingFaceCheckpoint.Save(original, _directory);
        Assert.Contains("\"Qwen2ForCausalLM\"", File.ReadAllText(Path.Combine(_directory, HuggingFaceCheckpoint.ConfigFile)));
        using var loaded = HuggingFaceCheckpoint.Load(_directory);

        Assert.Equal(config, loaded.Config);
        Assert.True(TensorEquality.Same(withBias, loaded.Forward(ids, positions, null)));
    }

    [Fact]
    public void Sharded_bf16_checkpoint_loads_converted_to_float32()
    {
        using var scope = NewDisposeScope();
        using var original = LlamaForCausalLM.Create(TinyModels.Config(), seed: 9);
        HuggingFaceConfig.Write(original.Config, ScalarType.BFloat16, Path.Combine(_directory, HuggingFaceCheckpoint.ConfigFile));
        var parameters = original.named_parameters().ToArray();
        var map = new JsonObject();
        for (int shard = 0; shard < 2; shard++)
        {
            string file = $"model-0000{shard + 1}-of-00002.safetensors";
            var part = parameters.Where((_, i) => i % 2 == shard).ToArray();
            SafetensorsWriter.Write(Path.Combine(_directory, file), part.Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter.to(ScalarType.BFloat16))));
            foreach (var (name, _) in part) map[name] = file;
        }

        File.WriteAllText(Path.Combine(_directory, HuggingFaceCheckpoint.IndexFile), new JsonObject { ["metadata"] = new JsonObject(), ["weight_map"] = map }.ToJsonString());

        using var loaded = HuggingFaceCheckpoint.Load(_directory, ScalarType.Float32);

        var loadedParameters = loaded.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in parameters)
        {
            Assert.Equal(ScalarType.Float32, loadedParameters[name].dtype);
            Assert.True(TensorEquality.Same(parameter.to(ScalarType.BFloat16).to(ScalarType.Float32), loadedParameters[name]), name);
        }
    }

    [Fact]
    public void Missing_and_unexpected_tensors_are_named()
    {
        using var scope = NewDisposeScope();
        using var original = LlamaForCausalLM.Create(TinyModels.Config(), seed: 2);
        HuggingFaceConfig.Write(original.Config, ScalarType.Float32, Path.Combine(_directory, HuggingFaceCheckpoint.ConfigFile));
        string weights = Path.Combine(_directory, HuggingFaceCheckpoint.WeightsFile);
        var tensors = original.named_parameters().Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter)).ToList();

        SafetensorsWriter.Write(weights, tensors.Where(t => t.Key != "lm_head.weight"));
        var error = Assert.Throws<FormatException>(() => HuggingFaceCheckpoint.Load(_directory));
        Assert.Contains("lacks 1 tensor(s): lm_head.weight", error.Message);

        tensors.Add(new("model.layers.0.self_attn.q_proj.bias", zeros(32)));
        SafetensorsWriter.Write(weights, tensors);
        error = Assert.Throws<FormatException>(() => HuggingFaceCheckpoint.Load(_directory));
        Assert.Contains("model.layers.0.self_attn.q_proj.bias", error.Message);
        Assert.Contains("Biases are supported on q/k/v projections only, for Qwen2", error.Message);
    }

    [Fact]
    public void Config_reads_llama_qwen2_and_mistral_fields_and_rejects_what_it_cannot_compute()
    {
        var qwen = new JsonObject
        {
            ["architectures"] = new JsonArray("Qwen2ForCausalLM"), ["model_type"] = "qwen2", ["vocab_size"] = 151936, ["hidden_size"] = 896,
            ["intermediate_size"] = 4864, ["num_hidden_layers"] = 24, ["num_attention_heads"] = 14, ["num_key_value_heads"] = 2,
            ["max_position_embeddings"] = 32768, ["rope_theta"] = 1000000.0, ["rms_norm_eps"] = 1e-6, ["tie_word_embeddings"] = true,
            ["hidden_act"] = "silu", ["sliding_window"] = 32768, ["use_sliding_window"] = false, ["rope_scaling"] = null,
        };
        var config = HuggingFaceConfig.Read(WriteConfig(qwen), maxPositions: 512);
        Assert.Equal(new LlamaConfig(151936, 896, 4864, 24, 14, 2, 512, 1000000, 1e-6, TieWordEmbeddings: true) { QkvBias = true }, config);

        Assert.Equal(config, HuggingFaceConfig.Read(WriteConfig(With(qwen, "rope_scaling", new JsonObject { ["rope_type"] = "default" })), maxPositions: 512));
        Assert.Contains("rope_scaling \"yarn\" is not supported",
            Assert.Throws<FormatException>(() => HuggingFaceConfig.Read(WriteConfig(With(qwen, "rope_scaling", new JsonObject { ["rope_type"] = "yarn", ["factor"] = 4.0 })))).Message);
        Assert.Contains("rope_scaling of rope_type \"llama3\" needs original_max_position_embeddings",
            Assert.Throws<FormatException>(() => HuggingFaceConfig.Read(WriteConfig(With(qwen, "rope_scaling", new JsonObject { ["rope_type"] = "llama3", ["factor"] = 8.0 })))).Message);
        Assert.Contains("architecture \"GPT2LMHeadModel\" is not supported",
            Assert.Throws<FormatException>(() => HuggingFaceConfig.Read(WriteConfig(With(qwen, "architectures", new JsonArray("GPT2LMHeadModel"))))).Message);
        // Qwen2 applies sliding_window only with use_sliding_window (default false), as transformers does.
        Assert.Null(HuggingFaceConfig.Read(WriteConfig(With(With(qwen, "use_sliding_window", null), "sliding_window", 4096))).SlidingWindow);
        Assert.Contains("required field hidden_size is missing",
            Assert.Throws<FormatException>(() => HuggingFaceConfig.Read(WriteConfig(With(qwen, "hidden_size", null, remove: true)))).Message);
        Assert.Contains("num_attention_heads must be a number, not \"14\"",
            Assert.Throws<FormatException>(() => HuggingFaceConfig.Read(WriteConfig(With(qwen, "num_attention_heads", "14")))).Message);
    }

    private static JsonObject With(JsonObject json, string name, JsonNode? value, bool remove = false)
    {
        var copy = (JsonObject)json.DeepClone();
        if (remove) copy.Remove(name);
        else copy[name] = value;
        return copy;
    }

    private string WriteConfig(JsonObject json)
    {
        string path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }
}
