using static TorchSharp.torch;

namespace Rft.Models.Formats;

/// <summary>The safetensors dtype names this runtime reads and writes, with their element sizes and TorchSharp types.</summary>
public static class SafetensorsDType
{
    private static readonly (string Name, ScalarType Type, int Size)[] Known =
    [
        ("F64", ScalarType.Float64, 8),
        ("F32", ScalarType.Float32, 4),
        ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8),
        ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2),
        ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1),
        ("BOOL", ScalarType.Bool, 1),
    ];

    /// <summary>The supported names, for error messages.</summary>
    public static string SupportedNames => string.Join(", ", Known.Select(k => k.Name));

    /// <summary>Looks up a header dtype name (case-sensitive, as the format specifies).</summary>
    public static bool TryParse(string name, out ScalarType type, out int size)
    {
        foreach (var known in Known)
        {
            if (known.Name == name)
            {
                (type, size) = (known.Type, known.Size);
                return true;
            }
        }

        (type, size) = (default, 0);
        return false;
    }

    /// <summary>The header name of <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">The type has no safetensors name here.</exception>
    public static string NameOf(ScalarType type)
    {
        foreach (var known in Known)
        {
            if (known.Type == type) return known.Name;
        }

        throw new ArgumentException($"Tensors of type {type} cannot be written to safetensors; supported: {SupportedNames}.", nameof(type));
    }

    /// <summary>Bytes per element of <paramref name="type"/>.</summary>
    public static int SizeOf(ScalarType type)
    {
        foreach (var known in Known)
        {
            if (known.Type == type) return known.Size;
        }

        throw new ArgumentException($"Tensors of type {type} have no safetensors element size; supported: {SupportedNames}.", nameof(type));
    }
}
