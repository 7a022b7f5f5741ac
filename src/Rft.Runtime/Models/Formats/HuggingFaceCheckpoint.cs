using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Models.Formats;

/// <summary>
/// Hugging Face checkpoint directories of the Llama family (Llama, Mistral, and Qwen2 with its q/k/v biases): <c>config.json</c> plus
/// <c>model.safetensors</c>, or shards listed in <c>model.safetensors.index.json</c>. Pickled
/// <c>pytorch_model.bin</c> files are never read (unpickling can execute code).
/// </summary>
public static class HuggingFaceCheckpoint
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>
    /// Loads the checkpoint in <paramref name="directory"/> onto the CPU with weights of
    /// <paramref name="dtype"/> (stored bf16/fp16/fp32 are converted tensor by tensor, so at most one
    /// tensor exists twice at any time).
    /// </summary>
    /// <param name="maxPositions">Overrides <c>max_position_embeddings</c> (see <see cref="HuggingFaceConfig.Read"/>).</param>
    /// <exception cref="FormatException">The configuration or a weight file is malformed, or tensors are missing, unexpected or mis-shaped.</exception>
    public static LlamaForCausalLM Load(string directory, ScalarType dtype = ScalarType.Float32, int? maxPositions = null) =>
        Load(directory, out _, dtype, maxPositions);

    /// <summary>As <see cref="Load(string, ScalarType, int?)"/>, and reports the weight bytes, the peak resident memory and the time.</summary>
    public static LlamaForCausalLM Load(string directory, out ModelLoadReport report, ScalarType dtype = ScalarType.Float32, int? maxPositions = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var meter = LoadMeter.Start();
        string configPath = Path.Combine(directory, ConfigFile);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{directory}: no {ConfigFile}; a Hugging Face checkpoint directory needs one.", configPath);
        var config = HuggingFaceConfig.Read(configPath, maxPositions);

        var files = new List<SafetensorsFile>();
        try
        {
            var locations = OpenWeights(directory, files);
            var model = LlamaForCausalLM.CreateUninitialized(config, dtype);
            try
            {
                Fill(model, locations, directory);
                report = meter.Finish(model);
                return model;
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        finally
        {
            foreach (var file in files) file.Dispose();
        }
    }

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="directory"/> (created if needed) as
    /// <c>config.json</c> and one <c>model.safetensors</c> in the model's dtype; a tied model stores no
    /// <c>lm_head.weight</c>, as Hugging Face does. LoRA adapters are merged into the saved weights (the model
    /// itself keeps them), so the directory loads as a plain checkpoint.
    /// </summary>
    public static void Save(LlamaForCausalLM model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var dtype = model.LmHeadWeight.dtype;
        using var scope = NewDisposeScope();     // owns the merged copies of adapted weights
        var weights = Lora.LoraAdapters.MergedWeights(model);
        SafetensorsWriter.Write(Path.Combine(directory, WeightsFile), weights, new Dictionary<string, string> { ["format"] = "pt" });
        HuggingFaceConfig.Write(model.Config, dtype, Path.Combine(directory, ConfigFile));
    }

    // Tensor name -> the opened file holding it.
    private static Dictionary<string, SafetensorsFile> OpenWeights(string directory, List<SafetensorsFile> files)
    {
        var locations = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        string indexPath = Path.Combine(directory, IndexFile);
        string single = Path.Combine(directory, WeightsFile);
        if (!File.Exists(indexPath))
        {
            if (!File.Exists(single))
                throw new FileNotFoundException($"{directory}: neither {WeightsFile} nor {IndexFile} exists (pickled pytorch_model.bin checkpoints are not read; convert them to safetensors).", single);
            var file = SafetensorsFile.Open(single);
            files.Add(file);
            foreach (var name in file.Entries.Keys) locations[name] = file;
            return locations;
        }

        var byShard = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        foreach (var (name, shard) in ReadIndex(indexPath))
        {
            if (!byShard.TryGetValue(shard, out var file))
            {
                string shardPath = Path.Combine(directory, shard);
                if (!File.Exists(shardPath)) throw new FileNotFoundException($"{indexPath}: shard \"{shard}\" (holding \"{name}\") does not exist.", shardPath);
                file = SafetensorsFile.Open(shardPath);
                files.Add(file);
                byShard[shard] = file;
            }

            if (!file.Entries.ContainsKey(name)) throw new FormatException($"{indexPath}: \"{name}\" is mapped to {shard}, which does not hold it.");
            locations[name] = file;
        }

        return locations;
    }

    private static IEnumerable<(string Name, string Shard)> ReadIndex(string indexPath)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            throw new FormatException($"{indexPath}: expected an object with a \"weight_map\" object.");
        var entries = new List<(string, string)>();
        foreach (var entry in map.EnumerateObject())
        {
            string shard = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : "";
            // Shards must sit in the checkpoint directory: no rooted paths, no climbing out of it.
            if (shard.Length == 0 || Path.IsPathRooted(shard) || shard.Contains("..", StringComparison.Ordinal) || shard.IndexOfAny(['/', '\\']) >= 0)
                throw new FormatException($"{indexPath}: weight_map[\"{entry.Name}\"] = {entry.Value.GetRawText()} is not a file name in the checkpoint directory.");
            entries.Add((entry.Name, shard));
        }

        return entries;
    }

    private static void Fill(LlamaForCausalLM model, Dictionary<string, SafetensorsFile> locations, string directory)
    {
        var missing = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        using var _ = no_grad();
        var staging = Staging(model, locations);
        try
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (!locations.TryGetValue(name, out var file))
                {
                    missing.Add(name);
                    continue;
                }

                var entry = file.Entries[name];
                if (!entry.Shape.SequenceEqual(parameter.shape))
                {
                    throw new FormatException(
                        $"{file.Path}: tensor \"{name}\" has shape [{string.Join(", ", entry.Shape)}] but config.json implies [{string.Join(", ", parameter.shape)}].");
                }

                file.ReadInto(name, parameter, staging.GetValueOrDefault(entry.DType));
                used.Add(name);
            }
        }
        finally
        {
            foreach (var buffer in staging.Values) buffer.Dispose();
        }

        if (missing.Count > 0)
        {
            string hint = missing.Contains("lm_head.weight") ? " (an untied model needs lm_head.weight; set tie_word_embeddings if the embedding is shared)" : "";
            throw new FormatException($"{directory}: the checkpoint lacks {missing.Count} tensor(s): {string.Join(", ", missing.Take(10))}{hint}.");
        }

        var unexpected = locations.Keys
            .Where(name => !used.Contains(name)
                           && !name.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal)          // recomputed, stored by old exports
                           && !(model.Config.TieWordEmbeddings && name == "lm_head.weight"))           // a copy of the tied embedding
            .Order(StringComparer.Ordinal)
            .ToList();
        if (unexpected.Count > 0)
        {
            string hint = unexpected.Any(n => n.EndsWith(".bias", StringComparison.Ordinal))
                ? " Biases are supported on q/k/v projections only, for Qwen2 (model_type \"qwen2\")."
                : "";
            throw new FormatException($"{directory}: the checkpoint holds {unexpected.Count} tensor(s) the model has no place for: {string.Join(", ", unexpected.Take(10))}.{hint}");
        }
    }

    // One flat staging buffer per stored dtype that needs converting, as large as the largest such tensor: reusing it keeps
    // the load's peak at the weights plus one tensor (per-tensor buffers, once freed, tend to stay resident in malloc's heap).
    private static Dictionary<ScalarType, Tensor> Staging(LlamaForCausalLM model, Dictionary<string, SafetensorsFile> locations)
    {
        var sizes = new Dictionary<ScalarType, long>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!locations.TryGetValue(name, out var file) || !file.Entries.TryGetValue(name, out var entry) || entry.DType == parameter.dtype) continue;
            sizes[entry.DType] = Math.Max(sizes.GetValueOrDefault(entry.DType), parameter.numel());
        }

        return sizes.ToDictionary(s => s.Key, s => empty(s.Value, s.Key, CPU).DetachFromDisposeScope());
    }
}
