using Rft.Models.Formats;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// A module's parameters as they are, bit for bit, in a safetensors file named after the parameters: what a resumed run
/// loads back when the Hugging Face export (merged LoRA, one dtype) would not give the same numbers.
/// </summary>
public static class ModuleState
{
    /// <summary>Writes every named parameter of <paramref name="module"/> (in its dtype, from any device) to <paramref name="path"/>.</summary>
    public static void Save(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var scope = NewDisposeScope();
        var tensors = module.named_parameters().Select(p => KeyValuePair.Create(p.name, p.parameter.device_type == DeviceType.CPU ? (Tensor)p.parameter : p.parameter.cpu())).ToList();
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "rft-module-state" });
    }

    /// <summary>Writes <paramref name="tensors"/> under their names (the float32 master weights of mixed precision).</summary>
    public static void Save(IEnumerable<KeyValuePair<string, Tensor>> tensors, string path)
    {
        using var scope = NewDisposeScope();
        SafetensorsWriter.Write(path, tensors.Select(t => KeyValuePair.Create(t.Key, t.Value.device_type == DeviceType.CPU ? t.Value : t.Value.cpu())).ToList(),
            new Dictionary<string, string> { ["format"] = "rft-module-state" });
    }

    /// <summary>
    /// Reads <paramref name="path"/> into the parameters of <paramref name="module"/>, each in place on its device.
    /// </summary>
    /// <exception cref="FormatException">The file does not hold exactly the module's parameters with their shapes and dtypes; the message names the file and the first difference.</exception>
    public static void Load(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        Load(module.named_parameters().Select(p => KeyValuePair.Create(p.name, (Tensor)p.parameter)).ToList(), path);
    }

    /// <summary>Reads <paramref name="path"/> into <paramref name="tensors"/> by name, in place.</summary>
    /// <exception cref="FormatException">The names, shapes or dtypes differ from the file's.</exception>
    public static void Load(IReadOnlyList<KeyValuePair<string, Tensor>> tensors, string path)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        using var file = SafetensorsFile.Open(path);
        var expected = tensors.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        if (tensors.FirstOrDefault(t => !file.Entries.ContainsKey(t.Key)) is { Key: { } missing })
            throw new FormatException($"{path}: lacks \"{missing}\", which the model has: the checkpoint belongs to another model or LoRA configuration.");
        if (file.Entries.Keys.FirstOrDefault(name => !expected.Contains(name)) is { } unexpected)
            throw new FormatException($"{path}: holds \"{unexpected}\", which the model does not have: the checkpoint belongs to another model or LoRA configuration.");
        foreach (var (name, tensor) in tensors)
        {
            var entry = file.Entries[name];
            if (entry.DType != tensor.dtype || !entry.Shape.SequenceEqual(tensor.shape))
                throw new FormatException($"{path}: \"{name}\" is {entry.DType} [{string.Join(", ", entry.Shape)}] but the model's is {tensor.dtype} [{string.Join(", ", tensor.shape)}].");
            file.ReadInto(name, tensor);
        }
    }
}
