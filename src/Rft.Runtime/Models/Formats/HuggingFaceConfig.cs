using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Rft.Models.Formats;

/// <summary>
/// Reads and writes the <c>config.json</c> of a Hugging Face Llama-family checkpoint (Llama 2/3,
/// Mistral, Qwen2 field names), RoPE scaling of types linear, dynamic and llama3, and sliding windows. Anything this
/// runtime would compute differently (other RoPE scaling types, biases, other activations or head widths) is rejected
/// rather than silently ignored.
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

        int filePositions = RequiredInt(json, "max_position_embeddings", path);
        int positions = maxPositions ?? filePositions;
        string family = Family(json, modelType);
        var (window, maxWindowLayers) = SlidingWindow(json, family, path);

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
            QkvBias = family == "qwen2" || HasArchitecture(json, "Qwen2ForCausalLM"),
            RopeScaling = RopeScalingOf(json, filePositions, path),
            SlidingWindow = window,
            MaxWindowLayers = maxWindowLayers,
        };
        var problems = config.Problems();
        if (problems.Count > 0) throw new FormatException($"{path}: inconsistent configuration: {string.Join(" ", problems)}");
        return config;
    }

    /// <summary>
    /// Writes <paramref name="config"/> as a <c>config.json</c> that Hugging Face transformers loads: a
    /// Llama one, a Qwen2 one when the model has q/k/v biases (Llama's attention_bias would add one to o_proj too),
    /// or a Mistral one when a model without biases has a sliding window on every layer.
    /// </summary>
    /// <exception cref="ArgumentException">The configuration has no Hugging Face equivalent (a window on some layers only, without q/k/v biases).</exception>
    public static void Write(LlamaConfig config, ScalarType dtype, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.QkvBias && config.SlidingWindow is not null && config.MaxWindowLayers > 0)
        {
            throw new ArgumentException(
                $"A sliding window on layers {config.MaxWindowLayers} and above only (MaxWindowLayers = {config.MaxWindowLayers}) exists in Qwen2 checkpoints, which have q/k/v biases; this model has none.",
                nameof(config));
        }

        var (architecture, modelType) = config.QkvBias ? ("Qwen2ForCausalLM", "qwen2")
            : config.SlidingWindow is not null ? ("MistralForCausalLM", "mistral")
            : ("LlamaForCausalLM", "llama");
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(architecture),
            ["model_type"] = modelType,
            ["vocab_size"] = config.VocabSize,
            ["hidden_size"] = config.HiddenSize,
            ["intermediate_size"] = config.IntermediateSize,
            ["num_hidden_layers"] = config.NumLayers,
            ["num_attention_heads"] = config.NumHeads,
            ["num_key_value_heads"] = config.NumKvHeads,
            ["head_dim"] = config.HeadDim,
            // Dynamic scaling reads max_position_embeddings as the pre-training context, as transformers does.
            ["max_position_embeddings"] = config.RopeScaling is { Type: RopeScalingType.Dynamic } d ? d.OriginalMaxPositions : config.MaxPositions,
            ["rope_theta"] = config.RopeTheta,
            ["rope_scaling"] = RopeScalingJson(config.RopeScaling),
            ["rms_norm_eps"] = config.RmsNormEps,
            ["tie_word_embeddings"] = config.TieWordEmbeddings,
            ["hidden_act"] = "silu",
            ["attention_bias"] = false,
            ["mlp_bias"] = false,
            ["use_sliding_window"] = config.SlidingWindow is not null,
            ["sliding_window"] = config.SlidingWindow,
            ["max_window_layers"] = config.SlidingWindow is null ? config.NumLayers : config.MaxWindowLayers,
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

    private static bool HasArchitecture(JsonObject json, string name) =>
        json["architectures"] is JsonArray architectures && architectures.Any(a => a?.GetValueKind() == JsonValueKind.String && a.GetValue<string>() == name);

    // "llama", "mistral" or "qwen2": which transformers class would read the file.
    private static string Family(JsonObject json, string? modelType) =>
        modelType ?? (HasArchitecture(json, "Qwen2ForCausalLM") ? "qwen2" : HasArchitecture(json, "MistralForCausalLM") ? "mistral" : "llama");

    /// <summary>
    /// The window and the first windowed layer as transformers derives them: Mistral windows every layer when
    /// <c>sliding_window</c> is set; Qwen2 only with <c>use_sliding_window</c>, on layers from <c>max_window_layers</c>
    /// (default 28) on; Llama has no window (the field is ignored). An explicit <c>layer_types</c> list must agree.
    /// </summary>
    private static (int? Window, int MaxWindowLayers) SlidingWindow(JsonObject json, string family, string path)
    {
        int? window = OptionalInt(json, "sliding_window", path);
        int layers = RequiredInt(json, "num_hidden_layers", path);
        (int?, int) result = family switch
        {
            "mistral" => (window, 0),
            "qwen2" when OptionalBool(json, "use_sliding_window", path) == true && window is not null =>
                (window, OptionalInt(json, "max_window_layers", path) ?? 28),
            _ => (null, 0),
        };
        if (result.Item1 is < 1) throw new FormatException($"{path}: sliding_window = {result.Item1} must be at least 1 (or null).");

        if (json["layer_types"] is JsonArray types)
        {
            var expected = Enumerable.Range(0, layers).Select(i => result.Item1 is not null && i >= result.Item2 ? "sliding_attention" : "full_attention");
            var actual = types.Select(t => t?.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : t?.ToJsonString() ?? "null").ToArray();
            if (!actual.SequenceEqual(expected))
            {
                throw new FormatException(
                    $"{path}: layer_types [{string.Join(", ", actual)}] is not supported here; supported are the layouts sliding_window/use_sliding_window/max_window_layers describe (full attention, then sliding attention from one layer on).");
            }
        }

        return result;
    }

    private static RopeScaling? RopeScalingOf(JsonObject json, int filePositions, string path)
    {
        var node = json["rope_scaling"];
        if (node is null) return null;
        if (node is not JsonObject scaling) throw new FormatException($"{path}: rope_scaling must be an object or null, not {node.ToJsonString()}.");
        var kind = scaling["rope_type"] ?? scaling["type"];
        string? type = kind?.GetValueKind() == JsonValueKind.String ? kind.GetValue<string>() : null;
        string where = "rope_scaling";
        double Number(string name) =>
            OptionalDouble(scaling, name, path) ?? throw new FormatException($"{path}: {where} of rope_type \"{type}\" needs {name}.");

        RopeScaling? result = type switch
        {
            "default" => null,
            "linear" => new RopeScaling(RopeScalingType.Linear, Number("factor")),
            "dynamic" => new RopeScaling(RopeScalingType.Dynamic, Number("factor"), OptionalInt(scaling, "original_max_position_embeddings", path) ?? filePositions),
            "llama3" => new RopeScaling(RopeScalingType.Llama3, Number("factor"), (int)Number("original_max_position_embeddings"),
                Number("low_freq_factor"), Number("high_freq_factor")),
            _ => throw new FormatException(
                $"{path}: rope_scaling {kind?.ToJsonString() ?? scaling.ToJsonString()} is not supported; supported rope_type values: default, linear, dynamic, llama3 (not yarn, longrope, su, mrope).")
        };
        if (result is not null && result.Problems() is { Count: > 0 } problems) throw new FormatException($"{path}: {string.Join(" ", problems)}");
        return result;
    }

    private static JsonNode? RopeScalingJson(RopeScaling? scaling)
    {
        if (scaling is null) return null;
        var json = new JsonObject { ["rope_type"] = RopeScaling.NameOf(scaling.Type), ["factor"] = scaling.Factor };
        if (scaling.Type != RopeScalingType.Linear) json["original_max_position_embeddings"] = scaling.OriginalMaxPositions;
        if (scaling.Type == RopeScalingType.Llama3)
        {
            json["low_freq_factor"] = scaling.LowFreqFactor;
            json["high_freq_factor"] = scaling.HighFreqFactor;
        }

        return json;
    }

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
