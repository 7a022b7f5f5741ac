using System.Globalization;

namespace Rft.Training;

/// <summary>
/// The checks generated options classes run at start. Each failure is one message naming the option,
/// its value and what would be valid.
/// </summary>
public static class OptionChecks
{
    public static void AtLeast(List<string> errors, string name, int value, int minimum)
    {
        if (value < minimum) errors.Add($"{name} = {Format(value)} is invalid: it must be at least {Format(minimum)}.");
    }

    public static void AtLeast(List<string> errors, string name, double value, double minimum)
    {
        if (!(value >= minimum)) errors.Add($"{name} = {Format(value)} is invalid: it must be at least {Format(minimum)}.");
    }

    public static void Positive(List<string> errors, string name, double value)
    {
        if (!(value > 0) || double.IsInfinity(value)) errors.Add($"{name} = {Format(value)} is invalid: it must be a positive finite number.");
    }

    /// <summary>A finite number of at least 0 (a reward's weight: 0 tracks the reward without rewarding it).</summary>
    public static void NonNegative(List<string> errors, string name, double value)
    {
        if (!(value >= 0) || double.IsInfinity(value)) errors.Add($"{name} = {Format(value)} is invalid: it must be a finite number of at least 0.");
    }

    /// <summary>Requires <paramref name="low"/> &lt;= value &lt;= <paramref name="high"/>.</summary>
    public static void InClosedRange(List<string> errors, string name, double value, double low, double high)
    {
        if (!(value >= low && value <= high)) errors.Add($"{name} = {Format(value)} is invalid: it must be in [{Format(low)}, {Format(high)}].");
    }

    /// <summary>Requires <paramref name="low"/> &lt;= value &lt; <paramref name="high"/>.</summary>
    public static void InRange(List<string> errors, string name, double value, double low, double high)
    {
        if (!(value >= low && value < high)) errors.Add($"{name} = {Format(value)} is invalid: it must be in [{Format(low)}, {Format(high)}).");
    }

    /// <summary>Requires <paramref name="low"/> &lt; value &lt;= <paramref name="high"/>.</summary>
    public static void InRangeExclusiveLow(List<string> errors, string name, double value, double low, double high)
    {
        if (!(value > low && value <= high)) errors.Add($"{name} = {Format(value)} is invalid: it must be in ({Format(low)}, {Format(high)}].");
    }

    public static void NotEmpty(List<string> errors, string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) errors.Add($"{name} is empty: it must name a folder.");
    }

    /// <summary>A preset name must be a known preset unless a checkpoint path is given.</summary>
    public static void Preset(List<string> errors, string name, string? preset, string? path)
    {
        if (!string.IsNullOrEmpty(path)) return;
        if (preset is null || !Models.ModelPresets.Names.Contains(preset, StringComparer.Ordinal))
            errors.Add($"{name} = '{preset}' is not a known model preset: use one of {string.Join(", ", Models.ModelPresets.Names)}.");
    }

    /// <summary>A JSON Lines file that must exist (a relative path is resolved against the working directory).</summary>
    public static void FileExists(List<string> errors, string name, string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
            errors.Add($"{name} is empty: it must name a JSON Lines file.");
        else if (!File.Exists(path))
            errors.Add($"{name} = '{path}' does not exist (looked for {Path.GetFullPath(path)}): point it at a JSON Lines file, relative to the working directory or absolute.");
    }

    /// <summary>An optional model path: when set, a folder or file that exists.</summary>
    public static void ModelPath(List<string> errors, string name, string? path)
    {
        if (string.IsNullOrEmpty(path) || File.Exists(path) || Directory.Exists(path)) return;
        errors.Add($"{name} = '{path}' does not exist (looked for {Path.GetFullPath(path)}): give a Hugging Face model folder (config.json, model.safetensors, tokenizer.json), an Rft checkpoint folder or a llama2.c .bin file, or leave it empty to train a preset.");
    }

    /// <summary>Comma-separated LoRA targets, each a projection of the Llama decoder, none twice.</summary>
    public static void LoraTargets(List<string> errors, string name, string? targets)
    {
        var valid = Models.Lora.LoraSettings.ValidTargets;
        var names = (targets ?? string.Empty).Split(',', StringSplitOptions.TrimEntries);
        if (names.Length == 0 || names.Any(n => n.Length == 0))
            errors.Add($"{name} = '{targets}' must list projections separated by commas, among {string.Join(", ", valid)}.");
        else if (names.FirstOrDefault(n => !valid.Contains(n, StringComparer.Ordinal)) is { } unknown)
            errors.Add($"{name} = '{targets}' names '{unknown}', which is not a projection: use {string.Join(", ", valid)}.");
        else if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            errors.Add($"{name} = '{targets}' names a projection twice.");
    }

    /// <summary>Every mini-batch needs at least one of a step's completions.</summary>
    public static void MiniBatches(List<string> errors, int miniBatches, int promptsPerStep, int groupSize)
    {
        long rows = (long)promptsPerStep * groupSize;
        if (miniBatches >= 1 && rows >= 1 && miniBatches > rows)
            errors.Add($"Rft:MiniBatches = {miniBatches} is invalid: a step has {rows} completions (Rft:PromptsPerStep {promptsPerStep} x Rft:GroupSize {groupSize}), and each mini-batch needs at least one; use at most {rows}.");
    }

    /// <summary>Chunks of whole prompt groups: a chunk must hold at least one group.</summary>
    public static void DecodeRows(List<string> errors, int decodeRows, int groupSize)
    {
        if (decodeRows > 0 && groupSize >= 1 && decodeRows < groupSize)
            errors.Add($"Rft:DecodeRows = {decodeRows} is invalid: a prompt's Rft:GroupSize = {groupSize} completions are decoded together, so use 0 (all of a step's at once) or at least {groupSize}.");
    }

    /// <summary><c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (whether this machine has that device is checked when the trainer starts).</summary>
    public static void Device(List<string> errors, string name, string? device)
    {
        if (!DeviceSettings.TryParse(device, out _))
            errors.Add($"{name} = '{device}' is not a device: use cpu, cuda or cuda:N (N the GPU's index).");
    }

    private static string Format(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
