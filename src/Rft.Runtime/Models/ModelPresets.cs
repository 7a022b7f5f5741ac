namespace Rft.Models;

/// <summary>Named model shapes for policies trained from scratch (<c>[Policy(Preset = "tiny")]</c>).</summary>
public static class ModelPresets
{
    private static readonly string[] PresetNames = ["nano", "tiny", "small"];

    /// <summary>The preset names, smallest first.</summary>
    public static IReadOnlyList<string> Names => PresetNames;

    /// <summary>The configuration of preset <paramref name="name"/> for a tokenizer of <paramref name="vocabSize"/> ids.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones.</exception>
    public static LlamaConfig Get(string name, int vocabSize, int maxPositions) => name switch
    {
        "nano" => new LlamaConfig(vocabSize, HiddenSize: 32, IntermediateSize: 88, NumLayers: 2, NumHeads: 2, NumKvHeads: 1, maxPositions),
        "tiny" => new LlamaConfig(vocabSize, HiddenSize: 128, IntermediateSize: 344, NumLayers: 4, NumHeads: 4, NumKvHeads: 2, maxPositions),
        "small" => new LlamaConfig(vocabSize, HiddenSize: 256, IntermediateSize: 688, NumLayers: 6, NumHeads: 8, NumKvHeads: 4, maxPositions),
        _ => throw new ArgumentException(
            $"Unknown model preset \"{name}\"; valid presets are {string.Join(", ", PresetNames.Select(n => "\"" + n + "\""))}.", nameof(name)),
    };
}
