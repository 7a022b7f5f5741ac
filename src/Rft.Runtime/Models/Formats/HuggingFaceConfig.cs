using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Rft.Models.Formats;

/// <summary>
/// Reads and writes the <c>config.json</c> of a Hugging Face Llama-family checkpoint (Llama 2/3,
/// Mistral, Qwen2 field names). Anything this runtime would compute differently (RoPE scaling, sliding
/// windows, biases, other activations or head widths) is rejected rather than silently ignored.
/// </summary>
public static class HuggingFaceConfig
{
    private static readonly string[] SupportedArchitectures = ["LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM"];
    private static readonly string[] SupportedModelTypes = ["llama", "mistral", "qwen2"];

    /// <summary>Reads <paramref name="path"/> into a model shape.</summary>
    /// <param name="maxPositions">
    /// Overrides <c>max_position_embeddings</c>, which sizes the rotary tables: a checkpoint made for
    /// 128K positions need not spend memory on them when prompts and completions are short.
    /// </param>
    /// <exception cref="FormatException">A field is missing, mistyped or unsupported; the message names the file and field.</exception>
    public static LlamaConfig Read(string path, int? maxPositions = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new FormatException($"{path}: the configuration must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not valid JSON ({e.Message}).", e);
        }

        if (json["architectures"] is JsonArray architectures)
        {
            foreach (var architecture in architectures)
            {
                string name = architecture?.GetValueKind() == JsonValueKind.String ? architecture.GetValue<string>() : architecture?.ToJsonString() ?? "null";
                if (!SupportedArchitectures.Contains(name))
                    throw new FormatException($"{path}: architecture \"{name}\" is not supported; supported: {string.Join(", ", SupportedArchitectures)}.");
            }
        }

        string? modelType = OptionalString(json, "model_type", path);
        if (modelType is not null && !SupportedModelTypes.Contains(modelType))
            throw new FormatException($"{path}: model_type \"{modelType}\" is not supported; supported: {string.Join(", ", SupportedModelTypes)}.");

        if (json["rope_scaling"] is JsonNode scaling)
        {
            var kind = scaling is JsonObject o ? o["rope_type"] ?? o["type"] : null;
            bool unscaled = kind?.GetValueKind() == JsonValueKind.String && kind.GetValue<string>() == "default";
            if (!unscaled)
                throw new FormatException($"{path}: rope_scaling {kind?.ToJsonString() ?? scaling.ToJsonString()} is not supported; only unscaled RoPE (rope_scaling null, absent or of rope_type \"default\") is.");
        }

        string? activation = OptionalString(json, "hidden_act", path);
        if (activation is not null && activation != "silu")
            throw new FormatException($"{path}: hidden_act \"{activation}\" is not supported; the Llama MLP here uses \"silu\".");
        if (OptionalBool(json, "attention_bias", path) == true || OptionalBool(json, "mlp_bias", path) == true)
            throw new FormatException($"{path}: attention_bias/mlp_bias = true is not supported; the Llama layers here have no biases.");

        int heads = RequiredInt(json, "num_attention_heads", path);
        int hidden = RequiredInt(json, "hidden_size", path);
        int? headDim = OptionalInt(json, "head_dim", path);
        if (headDim is not null && heads > 0 && headDim != hidden / heads)
            throw new FormatException($"{path}: head_dim = {headDim} differs from hidden_size / num_attention_heads = {hidden / heads}; only the latter is supported.");

        int positions = maxPositions ?? RequiredInt(json, "max_position_embeddings", path);
        int? window = OptionalInt(json, "sliding_window", path);
        bool? useWindow = OptionalBool(json, "use_sliding_window", path);
        if (window is not null && useWindow != false && window < positions)
            throw new FormatException($"{path}: sliding_window = {window} is shorter than the {positions} positions used; sliding-window attention is not supported.");

        var config = new LlamaConfig(
            VocabSize: RequiredInt(json, "vocab_size", path),
            HiddenSize: hidden,
            IntermediateSize: RequiredInt(json, "intermediate_size", path),
            NumLayers: RequiredInt(json, "num_hidden_layers", path),
            NumHeads: heads,
            NumKvHeads: OptionalInt(json, "num_key_value_heads", path) ?? heads,
            MaxPositions: positions,
            RopeTheta: OptionalDouble(json, "rope_theta", path) ?? 10000,
            RmsNormEps: OptionalDouble(json, "rms_norm_eps", path) ?? 1e-6,
            TieWordEmbeddings: OptionalBool(json, "tie_word_embeddings", path) ?? false)
        {
            QkvBias = modelType == "qwen2" || IsQwen2(json),
        };
        var problems = config.Problems();
        if (problems.Count > 0) throw new FormatException($"{path}: inconsistent configuration: {string.Join(" ", problems)}");
        return config;
    }

    /// <summary>
    /// Writes <paramref name="config"/> as a <c>config.json</c> that Hugging Face transformers loads: a
    /// Llama one, or a Qwen2 one when the model has q/k/v biases (Llama's attention_bias would add one to o_proj too).
    /// </summary>
    public static void Write(LlamaConfig config, ScalarType dtype, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(config.QkvBias ? "Qwen2ForCausalLM" : "LlamaForCausalLM"),
            ["model_type"] = config.QkvBias ? "qwen2" : "llama",
            ["vocab_size"] = config.VocabSize,
            ["hidden_size"] = config.HiddenSize,
            ["intermediate_size"] = config.IntermediateSize,
            ["num_hidden_layers"] = config.NumLayers,
            ["num_attention_heads"] = config.NumHeads,
            ["num_key_value_heads"] = config.NumKvHeads,
            ["head_dim"] = config.HeadDim,
            ["max_position_embeddings"] = config.MaxPositions,
            ["rope_theta"] = config.RopeTheta,
            ["rope_scaling"] = null,
            ["rms_norm_eps"] = config.RmsNormEps,
            ["tie_word_embeddings"] = config.TieWordEmbeddings,
            ["hidden_act"] = "silu",
            ["attention_bias"] = false,
            ["mlp_bias"] = false,
            ["use_sliding_window"] = false,
            ["torch_dtype"] = dtype switch
            {
                ScalarType.Float32 => "float32",
                ScalarType.Float16 => "float16",
                ScalarType.BFloat16 => "bfloat16",
                ScalarType.Float64 => "float64",
                _ => throw new ArgumentException($"Models of type {dtype} cannot be described in config.json.", nameof(dtype)),
            },
        };
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static bool IsQwen2(JsonObject json) =>
        json["architectures"] is JsonArray architectures && architectures.Any(a => a?.GetValueKind() == JsonValueKind.String && a.GetValue<string>() == "Qwen2ForCausalLM");

    private static JsonNode? Field(JsonObject json, string name, JsonValueKind kind, string path)
    {
        var node = json[name];
        if (node is null) return null;
        var actual = node.GetValueKind();
        if (actual != kind && !(kind == JsonValueKind.True && actual == JsonValueKind.False))
            throw new FormatException($"{path}: {name} must be {(kind == JsonValueKind.True ? "a boolean" : kind == JsonValueKind.Number ? "a number" : "a string")}, not {node.ToJsonString()}.");
        return node;
    }

    private static int RequiredInt(JsonObject json, string name, string path) =>
        OptionalInt(json, name, path) ?? throw new FormatException($"{path}: required field {name} is missing.");

    private static int? OptionalInt(JsonObject json, string name, string path)
    {
        var node = Field(json, name, JsonValueKind.Number, path);
        if (node is null) return null;
        var element = node.GetValue<JsonElement>();
        return element.TryGetInt32(out int value)
            ? value
            : throw new FormatException($"{path}: {name} must be a 32-bit integer, not {node.ToJsonString()}.");
    }

    private static double? OptionalDouble(JsonObject json, string name, string path) =>
        Field(json, name, JsonValueKind.Number, path)?.GetValue<JsonElement>().GetDouble();

    private static bool? OptionalBool(JsonObject json, string name, string path) =>
        Field(json, name, JsonValueKind.True, path)?.GetValue<bool>();

    private static string? OptionalString(JsonObject json, string name, string path) =>
        Field(json, name, JsonValueKind.String, path)?.GetValue<string>();
}
