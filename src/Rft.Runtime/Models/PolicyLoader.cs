using Rft.Models.Formats;
using Rft.Text;
using Rft.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Models;

/// <summary>
/// Loads the policy that <c>[Policy(Path = ...)]</c> names, whatever the path holds: a Hugging Face directory
/// (<c>config.json</c>, <c>model.safetensors</c> or <c>model.safetensors.index.json</c> with its shards,
/// <c>tokenizer.json</c> with <c>tokenizer_config.json</c>/<c>generation_config.json</c> for the end token), a checkpoint
/// folder written by <see cref="Checkpoint.Save"/>, or a llama2.c <c>.bin</c> file with its <c>tokenizer.bin</c>
/// (or another <c>tok*.bin</c>) beside it.
/// </summary>
public static class PolicyLoader
{
    /// <summary>Loads <paramref name="path"/>; weights are read straight into <paramref name="dtype"/> on the CPU, then moved to <paramref name="device"/>.</summary>
    /// <param name="maxPositions">Longest sequence the model will see (sizes the rotary tables); 0 keeps the checkpoint's own.</param>
    /// <param name="device">Where the model goes; null keeps it on the CPU.</param>
    /// <exception cref="FileNotFoundException">The path does not exist or lacks a file it needs; the message names the path and the expected files.</exception>
    /// <exception cref="FormatException">A file is malformed; the message names it.</exception>
    public static LoadedPolicy Load(string path, ScalarType dtype, int maxPositions, Device? device)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPositions);
        var full = Path.GetFullPath(path);
        int? positions = maxPositions == 0 ? null : maxPositions;
        var loaded = File.Exists(full) ? LoadLlama2c(full, dtype, positions)
            : Directory.Exists(full) ? LoadDirectory(full, dtype, positions)
            : throw new FileNotFoundException($"{full}: no such file or directory. {Expected}", full);

        if (device is not null && device.type != DeviceType.CPU)
        {
            try
            {
                loaded.Model.to(device);
            }
            catch
            {
                loaded.Dispose();
                throw;
            }
        }

        return loaded;
    }

    private const string Expected =
        "A policy path is a Hugging Face directory (config.json, model.safetensors or model.safetensors.index.json, tokenizer.json), " +
        "an Rft checkpoint folder (the same plus trainer_state.json; a char tokenizer as rft_tokenizer.json), " +
        "or a llama2.c .bin file with tokenizer.bin or tok*.bin beside it.";

    private static LoadedPolicy LoadDirectory(string directory, ScalarType dtype, int? positions)
    {
        if (Checkpoint.IsCheckpoint(directory)) return Checkpoint.Load(directory, dtype, positions);

        string config = Path.Combine(directory, HuggingFaceCheckpoint.ConfigFile);
        string tokenizerFile = Path.Combine(directory, Checkpoint.HuggingFaceTokenizerFile);
        var missing = new List<string>();
        if (!File.Exists(config)) missing.Add(HuggingFaceCheckpoint.ConfigFile);
        if (!File.Exists(Path.Combine(directory, HuggingFaceCheckpoint.WeightsFile)) && !File.Exists(Path.Combine(directory, HuggingFaceCheckpoint.IndexFile)))
            missing.Add($"{HuggingFaceCheckpoint.WeightsFile} (or {HuggingFaceCheckpoint.IndexFile})");
        bool hasTokenizer = File.Exists(tokenizerFile) || File.Exists(Path.Combine(directory, Checkpoint.CharTokenizerFile)) || File.Exists(Path.Combine(directory, Checkpoint.Llama2cTokenizerFile));
        if (!hasTokenizer) missing.Add(Checkpoint.HuggingFaceTokenizerFile);
        if (missing.Count > 0)
            throw new FileNotFoundException($"{directory}: lacks {string.Join(", ", missing)}. {Expected}", Path.Combine(directory, missing[0].Split(' ')[0]));

        var tokenizer = Checkpoint.LoadTokenizer(directory);
        var model = HuggingFaceCheckpoint.Load(directory, out var report, dtype, positions);
        return Checked(new LoadedPolicy(model, tokenizer, report, PolicyFormat.HuggingFace, directory));
    }

    private static LoadedPolicy LoadLlama2c(string file, ScalarType dtype, int? positions)
    {
        string folder = Path.GetDirectoryName(file)!;
        string? tokenizerFile = File.Exists(Path.Combine(folder, Checkpoint.Llama2cTokenizerFile))
            ? Path.Combine(folder, Checkpoint.Llama2cTokenizerFile)
            : Directory.EnumerateFiles(folder, "tok*.bin").Order(StringComparer.Ordinal).FirstOrDefault();
        if (tokenizerFile is null)
            throw new FileNotFoundException($"{file}: no tokenizer beside it; expected {Checkpoint.Llama2cTokenizerFile} or tok*.bin in {folder}. {Expected}", Path.Combine(folder, Checkpoint.Llama2cTokenizerFile));

        var config = Llama2cCheckpoint.ReadConfig(file);
        var tokenizer = Llama2cTokenizer.Load(tokenizerFile, config.VocabSize);
        TokenizerSources.Record(tokenizer, tokenizerFile);
        var model = Llama2cCheckpoint.Load(file, out var report, dtype, positions);
        return new LoadedPolicy(model, tokenizer, report, PolicyFormat.Llama2c, file);
    }

    private static LoadedPolicy Checked(LoadedPolicy loaded)
    {
        if (loaded.Tokenizer.VocabSize <= loaded.Model.Config.VocabSize)
        {
            // Embedding rows past the tokenizer's ids are padding: never sampled, never in a softmax.
            loaded.Model.ActiveVocabulary = loaded.Tokenizer.VocabSize;
            return loaded;
        }

        loaded.Dispose();
        throw new FormatException(
            $"{loaded.Source}: the tokenizer has {loaded.Tokenizer.VocabSize} ids but config.json's vocab_size is {loaded.Model.Config.VocabSize}.");
    }
}
