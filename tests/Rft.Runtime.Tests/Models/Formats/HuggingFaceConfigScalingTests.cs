using System.Text.Json.Nodes;
using Rft.Models;
using Rft.Models.Formats;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models.Formats;

/// <summary>config.json's rope_scaling and sliding-window fields, read as transformers reads them and written back.</summary>
public sealed class HuggingFaceConfigScalingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rft-hfcfg-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static JsonObject Llama() => new()
    {
        ["architectures"] = new JsonArray("LlamaForCausalLM"), ["model_type"] = "llama", ["vocab_size"] = 128256, ["hidden_size"] = 2048,
        ["intermediate_size"] = 8192, ["num_hidden_layers"] = 16, ["num_attention_heads"] = 32, ["num_key_value_heads"] = 8,
        ["max_position_embeddings"] = 131072, ["rope_theta"] = 500000.0, ["rms_norm_eps"] = 1e-5, ["tie_word_embeddings"] = true,
        ["rope_scaling"] = new JsonObject
        {
            ["rope_type"] = "llama3", ["factor"] = 32.0, ["low_freq_factor"] = 1.0, ["high_freq_factor"] = 4.0, ["original_max_position_embeddings"] = 8192,
        },
    };

    [Fact]
    public void Llama_3_2_rope_scaling_is_read_and_written_back()
    {
        var config = HuggingFaceConfig.Read(Write(Llama()), maxPositions: 4096);

        Assert.Equal(new RopeScaling(RopeScalingType.Llama3, 32, 8192, 1, 4), config.RopeScaling);
        Assert.Equal(4096, config.MaxPositions);
        Assert.Null(config.SlidingWindow);

        string path = Path.Combine(_directory, "written.json");
        HuggingFaceConfig.Write(config, ScalarType.BFloat16, path);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("llama3", json["rope_scaling"]!["rope_type"]!.GetValue<string>());
        Assert.Equal(config, HuggingFaceConfig.Read(path));
    }

    [Theory]
    [InlineData("linear", RopeScalingType.Linear, 0)]
    [InlineData("dynamic", RopeScalingType.Dynamic, 131072)]
    public void Linear_and_dynamic_scaling_are_read_with_the_legacy_type_key_too(string type, RopeScalingType expected, int original)
    {
        var json = Llama();
        json["rope_scaling"] = new JsonObject { ["type"] = type, ["factor"] = 2.0 };

        var config = HuggingFaceConfig.Read(Write(json));

        Assert.Equal(new RopeScaling(expected, 2, original), config.RopeScaling);
        string path = Path.Combine(_directory, type + ".json");
        HuggingFaceConfig.Write(config, ScalarType.Float32, path);
        Assert.Equal(config, HuggingFaceConfig.Read(path));
    }

    [Theory]
    [InlineData("yarn")]
    [InlineData("longrope")]
    public void Other_scaling_types_are_rejected_by_name(string type)
    {
        var json = Llama();
        json["rope_scaling"] = new JsonObject { ["rope_type"] = type, ["factor"] = 4.0 };

        var error = Assert.Throws<FormatException>(() => HuggingFaceConfig.Read(Write(json)));

        Assert.Contains($"rope_scaling \"{type}\" is not supported; supported rope_type values: default, linear, dynamic, llama3", error.Message);
    }

    [Fact]
    public void Mistral_windows_every_layer_and_is_written_back_as_mistral()
    {
        var json = Llama();
        json["architectures"] = new JsonArray("MistralForCausalLM");
        json["model_type"] = "mistral";
        json["rope_scaling"] = null;
        json["sliding_window"] = 4096;

        var config = HuggingFaceConfig.Read(Write(json));

        Assert.Equal(4096, config.SlidingWindow);
        Assert.Equal(0, config.MaxWindowLayers);
        Assert.True(config.UsesSlidingWindow(0));
        string path = Path.Combine(_directory, "mistral.json");
        HuggingFaceConfig.Write(config, ScalarType.Float32, path);
        Assert.Contains("\"MistralForCausalLM\"", File.ReadAllText(path));
        Assert.Equal(config, HuggingFaceConfig.Read(path));
    }

    [Fact]
    public void Qwen2_windows_layers_from_max_window_layers_on_when_use_sliding_window_is_set()
    {
        var json = Llama();
        json["architectures"] = new JsonArray("Qwen2ForCausalLM");
        json["model_type"] = "qwen2";
        json["rope_scaling"] = null;
        json["use_sliding_window"] = true;
        json["sliding_window"] = 4096;
        json["max_window_layers"] = 12;

        var config = HuggingFaceConfig.Read(Write(json));

        Assert.Equal(4096, config.SlidingWindow);
        Assert.Equal(12, config.MaxWindowLayers);
        Assert.False(config.UsesSlidingWindow(11));
        Assert.True(config.UsesSlidingWindow(12));
        string path = Path.Combine(_directory, "qwen2.json");
        HuggingFaceConfig.Write(config, ScalarType.Float32, path);
        Assert.Equal(config, HuggingFaceConfig.Read(path));

        json["layer_types"] = new JsonArray(Enumerable.Range(0, 16).Select(i => (JsonNode)(i % 2 == 0 ? "full_attention" : "sliding_attention")).ToArray());
        Assert.Contains("layer_types", Assert.Throws<FormatException>(() => HuggingFaceConfig.Read(Write(json))).Message);
    }

    [Fact]
    public void Llama_ignores_a_sliding_window_field_as_transformers_does()
    {
        var json = Llama();
        json["sliding_window"] = 16;
        Assert.Null(HuggingFaceConfig.Read(Write(json)).SlidingWindow);
    }

    [Fact]
    public void A_scaled_windowed_model_round_trips_through_a_checkpoint_with_identical_logits()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Config(vocabSize: 40) with
        {
            QkvBias = true, SlidingWindow = 3, MaxWindowLayers = 1, RopeScaling = new RopeScaling(RopeScalingType.Llama3, 8, 32, 1, 4),
        };
        using var original = LlamaForCausalLM.Create(config, seed: 2);
        HuggingFaceCheckpoint.Save(original, _directory);

        using var loaded = HuggingFaceCheckpoint.Load(_directory);

        Assert.Equal(config, loaded.Config);
        var ids = tensor(new long[] { 1, 5, 6, 7, 12, 3, 39, 9 }, [1, 8]);
        var positions = arange(8L).unsqueeze(0);
        using var noGrad = no_grad();
        Assert.True(TensorEquality.Same(original.Forward(ids, positions, null), loaded.Forward(ids, positions, null)));
    }

    private string Write(JsonObject json)
    {
        string path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }
}
