using System.Text.Json;
using System.Text.Json.Nodes;
using Rft.Models.Formats;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Models.Lora;

/// <summary>
/// Low-rank adaptation (Hu et al. 2021) of a <see cref="LlamaForCausalLM"/>: each targeted projection becomes
/// <c>W x + (alpha / r) B A x</c> with W frozen and only A [r, in] and B [out, r] trainable. Parameter names and
/// saved files follow PEFT (<c>...q_proj.lora_A.weight</c>, <c>adapter_model.safetensors</c>, <c>adapter_config.json</c>).
/// </summary>
public static class LoraAdapters
{
    public const string AdapterWeightsFile = "adapter_model.safetensors";
    public const string AdapterConfigFile = "adapter_config.json";

    // PEFT saves adapters of a causal LM under its PeftModel wrapper's prefix.
    private const string PeftPrefix = "base_model.model.";

    /// <summary>
    /// Freezes every parameter of <paramref name="model"/> and attaches an adapter to each projection named in
    /// <paramref name="settings"/>, A drawn from <paramref name="seed"/> and B = 0, so the model's output is unchanged
    /// until the adapters are trained. Adapters are created on the device and in the dtype of their base weight.
    /// </summary>
    /// <exception cref="ArgumentException">The settings are invalid (an unknown target lists the valid ones).</exception>
    /// <exception cref="InvalidOperationException">The model already has adapters.</exception>
    public static void Apply(LlamaForCausalLM model, LoraSettings settings, long seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        settings.EnsureValid();
        var layers = Layers(model).ToList();
        if (layers.Any(l => l.Layer.HasAdapter)) throw new InvalidOperationException("The model already has LoRA adapters; merge them (LoraAdapters.Merge) before applying new ones.");

        foreach (var parameter in model.parameters()) parameter.requires_grad = false;
        using var generator = new Generator((ulong)seed);
        foreach (var (name, layer) in layers)
        {
            if (settings.Targets.Contains(ProjectionName(name), StringComparer.Ordinal))
                layer.AttachAdapter(settings.Rank, settings.Scale, settings.Dropout, generator, model.DropoutRandom);
        }

        // Dropout masks come from the model's own stream, seeded from the same seed, on the device of its weights.
        if (settings.Dropout > 0) model.DropoutRandom.Seed(new Training.SeedSequence(unchecked((int)seed)).Derive("lora-dropout"), model.LmHeadWeight.device);
    }

    /// <summary>
    /// Switches every adapter of <paramref name="model"/> off until the result is disposed: the model then computes its base
    /// weights alone. With adapters that started from B = 0 this is the model as it was before LoRA training, which is how a
    /// KL reference costs no second copy of the weights (as PEFT's <c>disable_adapter</c>).
    /// </summary>
    public static IDisposable Suspend(LlamaForCausalLM model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var adapted = Layers(model).Select(l => l.Layer).Where(l => l.HasAdapter && !l.Suspended).ToList();
        foreach (var layer in adapted) layer.Suspended = true;
        return new Resumption(adapted);
    }

    private sealed class Resumption(List<AdaptableLinear> layers) : IDisposable
    {
        public void Dispose()
        {
            foreach (var layer in layers) layer.Suspended = false;
            layers.Clear();
        }
    }

    /// <summary>Whether any projection of <paramref name="model"/> carries an adapter.</summary>
    public static bool HasAdapters(LlamaForCausalLM model) => Layers(model).Any(l => l.Layer.HasAdapter);

    /// <summary>
    /// The settings of the attached adapters (rank, alpha, targets in <see cref="LoraSettings.ValidTargets"/> order, dropout),
    /// or null when the model has none.
    /// </summary>
    public static LoraSettings? Settings(LlamaForCausalLM model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var adapted = Layers(model).Where(l => l.Layer.HasAdapter).ToList();
        if (adapted.Count == 0) return null;
        var first = adapted[0].Layer;
        int rank = (int)first.AdapterA!.shape[0];
        var targets = LoraSettings.ValidTargets.Where(t => adapted.Any(l => ProjectionName(l.Name) == t)).ToArray();
        return new LoraSettings(rank, first.Scale * rank, targets, first.Dropout);
    }

    /// <summary>
    /// Folds each adapter into its base weight (<c>W += (alpha / r) B A</c>) and removes it, leaving a model with plain
    /// Hugging Face keys. As with PEFT's <c>merge_and_unload</c>, the base parameters keep <c>requires_grad</c> as it was.
    /// </summary>
    public static void Merge(LlamaForCausalLM model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var (_, layer) in Layers(model)) layer.MergeAdapter();
    }

    /// <summary>
    /// The model's weights with adapters folded in, under plain Hugging Face keys, without changing the model: adapted
    /// weights are new tensors, owned by the caller's dispose scope; the others are the model's own parameters.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, Tensor>> MergedWeights(LlamaForCausalLM model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var deltas = new Dictionary<string, AdaptableLinear>(StringComparer.Ordinal);
        foreach (var (name, layer) in Layers(model))
        {
            if (layer.HasAdapter) deltas[name + ".weight"] = layer;
        }

        var weights = new List<KeyValuePair<string, Tensor>>();
        using var _ = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (IsAdapterName(name)) continue;
            if (deltas.TryGetValue(name, out var layer))
            {
                using var delta = layer.AdapterDelta()!;
                weights.Add(new(name, parameter.add(delta)));
            }
            else
            {
                weights.Add(new(name, parameter));
            }
        }

        return weights;
    }

    /// <summary>Trainable elements over all elements (adapters included, as PEFT's <c>print_trainable_parameters</c> counts).</summary>
    public static double TrainableParameterShare(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        long total = Training.Stats.ParameterCount(model, trainableOnly: false);
        return total == 0 ? 0 : (double)Training.Stats.ParameterCount(model, trainableOnly: true) / total;
    }

    /// <summary>
    /// Writes the adapters alone to <paramref name="directory"/> (created if needed) as PEFT does:
    /// <c>adapter_model.safetensors</c> with keys <c>base_model.model.{name}.lora_A.weight</c>, and
    /// <c>adapter_config.json</c> with <c>r</c>, <c>lora_alpha</c>, <c>target_modules</c> and <c>lora_dropout</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no adapters.</exception>
    public static void SaveAdapters(LlamaForCausalLM model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(directory);
        var settings = Settings(model) ?? throw new InvalidOperationException("The model has no LoRA adapters to save (call LoraAdapters.Apply first).");
        Directory.CreateDirectory(directory);
        var tensors = model.named_parameters()
            .Where(p => IsAdapterName(p.name))
            .Select(p => new KeyValuePair<string, Tensor>(PeftPrefix + p.name, p.parameter))
            .ToArray();
        SafetensorsWriter.Write(Path.Combine(directory, AdapterWeightsFile), tensors, new Dictionary<string, string> { ["format"] = "pt" });

        var config = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["r"] = settings.Rank,
            ["lora_alpha"] = settings.Alpha,
            ["lora_dropout"] = settings.Dropout,
            ["target_modules"] = new JsonArray(settings.Targets.Select(t => (JsonNode)JsonValue.Create(t)).ToArray()),
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["use_rslora"] = false,
            ["inference_mode"] = true,
        };
        File.WriteAllText(Path.Combine(directory, AdapterConfigFile), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Loads adapters that <see cref="SaveAdapters"/> (or PEFT) wrote into <paramref name="model"/>: a model without
    /// adapters gets them attached as <c>adapter_config.json</c> says (base weights frozen); a model with adapters must
    /// have the same rank and targets. Keys are accepted with or without PEFT's <c>base_model.model.</c> prefix.
    /// </summary>
    /// <exception cref="FormatException">The configuration is malformed, or tensors are missing, unexpected or mis-shaped.</exception>
    public static void LoadAdapters(LlamaForCausalLM model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(directory);
        string configPath = Path.Combine(directory, AdapterConfigFile);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{directory}: no {AdapterConfigFile}; an adapter directory needs one.", configPath);
        var settings = ReadConfig(configPath);

        var current = Settings(model);
        if (current is null)
        {
            Apply(model, settings, seed: 0);     // A is overwritten below
        }
        else if (current.Rank != settings.Rank || !current.Targets.SequenceEqual(settings.Targets.Order(Comparer<string>.Create(TargetOrder))))
        {
            throw new InvalidOperationException(
                $"{configPath}: rank {settings.Rank} on [{string.Join(", ", settings.Targets)}] does not match the model's adapters, rank {current.Rank} on [{string.Join(", ", current.Targets)}].");
        }

        string weightsPath = Path.Combine(directory, AdapterWeightsFile);
        using var file = SafetensorsFile.Open(weightsPath);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        using var _ = no_grad();
        foreach (var (name, parameter) in model.named_parameters().Where(p => IsAdapterName(p.name)))
        {
            string? key = file.Entries.ContainsKey(PeftPrefix + name) ? PeftPrefix + name : file.Entries.ContainsKey(name) ? name : null;
            if (key is null)
            {
                missing.Add(name);
                continue;
            }

            var entry = file.Entries[key];
            if (!entry.Shape.SequenceEqual(parameter.shape))
                throw new FormatException($"{weightsPath}: tensor \"{key}\" has shape [{string.Join(", ", entry.Shape)}] but the model's adapter is [{string.Join(", ", parameter.shape)}].");
            file.ReadInto(key, parameter);
            used.Add(key);
        }

        if (missing.Count > 0)
            throw new FormatException($"{weightsPath}: lacks {missing.Count} adapter tensor(s): {string.Join(", ", missing.Take(10))}.");
        var unexpected = file.Entries.Keys.Where(k => !used.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0)
            throw new FormatException($"{weightsPath}: holds {unexpected.Count} tensor(s) the model has no adapter for: {string.Join(", ", unexpected.Take(10))}.");
    }

    private static LoraSettings ReadConfig(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not valid JSON ({e.Message}).", e);
        }

        if (root is not JsonObject config) throw new FormatException($"{path}: expected a JSON object.");
        LoraSettings settings;
        try
        {
            int rank = config["r"]?.GetValue<int>() ?? throw new FormatException($"{path}: \"r\" (the LoRA rank) is missing.");
            double alpha = config["lora_alpha"]?.GetValue<double>() ?? throw new FormatException($"{path}: \"lora_alpha\" is missing.");
            double dropout = config["lora_dropout"]?.GetValue<double>() ?? 0;
            var targets = config["target_modules"] is JsonArray array
                ? array.Select(t => t?.GetValue<string>() ?? "").ToArray()
                : throw new FormatException($"{path}: \"target_modules\" must be a list of projection names ({string.Join(", ", LoraSettings.ValidTargets)}).");
            if (config["use_rslora"]?.GetValue<bool>() == true) throw new FormatException($"{path}: \"use_rslora\": true (scale alpha / sqrt(r)) is not supported.");
            settings = new LoraSettings(rank, alpha, targets, dropout);
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException($"{path}: a field has the wrong JSON type ({e.Message}).", e);
        }

        try
        {
            settings.EnsureValid();
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }

        return settings;
    }

    private static int TargetOrder(string a, string b) =>
        IndexOf(a).CompareTo(IndexOf(b));

    private static int IndexOf(string target)
    {
        for (int i = 0; i < LoraSettings.ValidTargets.Count; i++)
        {
            if (LoraSettings.ValidTargets[i] == target) return i;
        }

        return int.MaxValue;
    }

    private static IEnumerable<(string Name, AdaptableLinear Layer)> Layers(LlamaForCausalLM model)
    {
        foreach (var (name, module) in model.named_modules())
        {
            if (module is AdaptableLinear layer) yield return (name, layer);
        }
    }

    private static string ProjectionName(string moduleName) => moduleName[(moduleName.LastIndexOf('.') + 1)..];

    private static bool IsAdapterName(string parameterName) =>
        parameterName.EndsWith(".lora_A.weight", StringComparison.Ordinal) || parameterName.EndsWith(".lora_B.weight", StringComparison.Ordinal);
}
