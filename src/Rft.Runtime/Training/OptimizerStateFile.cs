using System.Text;
using TorchSharp;
using TorchSharp.Modules;

namespace Rft.Training;

/// <summary>
/// Checks an <c>optimizer.dat</c> before TorchSharp reads it. TorchSharp's <c>load_state_dict</c> trusts the file: a
/// damaged length allocates whatever it claims, and a file cut short or made for another model fails half-way, with
/// some moments already overwritten. This reads the whole layout first, allocating nothing from the file's numbers:
/// the optimizer's name; the parameter-group and state counts; each group's hyper-parameters; and, per parameter,
/// the step and each moment's dtype and shape (compared with the parameter's) and the length of its data; and that
/// the file ends exactly there. The data bytes themselves are not checked here: the checkpoint manifest's SHA-256 is.
/// </summary>
/// <remarks>The layout is TorchSharp 0.107's <c>Optimizer.save_state_dict</c> for AdamW (BinaryWriter strings and numbers, LEB128 counts).</remarks>
public static class OptimizerStateFile
{
    private const string AdamW = "AdamW";
    private const int MaxDimensions = 16;

    /// <summary>Checks that <paramref name="path"/> is the AdamW state of exactly <paramref name="parameters"/>, in one parameter group.</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="FormatException">The file is not such a state; the message names it, the parameter and what differs.</exception>
    public static void Validate(string path, IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(parameters);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing.", path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
        var reader = new Reader(file, path);

        string name = reader.Name();
        if (name != AdamW) throw reader.Error($"holds the state of a \"{name}\" optimizer, not {AdamW}");
        long groups = reader.Count("the parameter-group count");
        if (groups != 1) throw reader.Error($"has {groups} parameter groups; the optimizer has 1");
        long states = reader.Count("the state count");
        if (states != parameters.Count)
            throw reader.Error($"holds the state of {states} parameters; the model being trained has {parameters.Count} trainable parameters (another model, or LoRA on one side only)");

        // Initial and current learning rate, beta1, beta2, eps, weight decay; amsgrad, maximize.
        for (int i = 0; i < 6; i++) reader.Double("a parameter group's hyper-parameter");
        bool amsgrad = reader.Boolean("amsgrad");
        reader.Boolean("maximize");

        for (int i = 0; i < parameters.Count; i++)
        {
            long step = reader.Int64($"parameter {i}'s step");
            if (step < 0) throw reader.Error($"gives parameter {i} the step {step}");
            reader.Tensor(i, "exp_avg", parameters[i]);
            reader.Tensor(i, "exp_avg_sq", parameters[i]);
            bool hasMax = reader.Boolean($"parameter {i}'s max_exp_avg_sq flag");
            if (hasMax != amsgrad) throw reader.Error($"has max_exp_avg_sq {(hasMax ? "present" : "absent")} for parameter {i} but amsgrad = {amsgrad}");
            if (hasMax) reader.Tensor(i, "max_exp_avg_sq", parameters[i]);
        }

        if (file.Position != file.Length) throw reader.Error($"has {file.Length - file.Position} bytes after the state of the last parameter");
    }

    private sealed class Reader(FileStream file, string path)
    {
        public FormatException Error(string what) =>
            new($"{path} {what}: it is not the AdamW state of this model (byte {file.Position} of {file.Length}).");

        public string Name()
        {
            // BinaryWriter.Write(string): a 7-bit-encoded byte length, then UTF-8.
            long length = Leb128("the optimizer's name", maxBytes: 2);
            if (length > 64) throw Error($"starts with a {length}-byte name; an optimizer's name is a short word");
            Span<byte> bytes = stackalloc byte[(int)length];
            Exactly(bytes, "the optimizer's name");
            return Encoding.UTF8.GetString(bytes);
        }

        public long Count(string what) => Leb128(what, maxBytes: 5);

        public double Double(string what)
        {
            Span<byte> bytes = stackalloc byte[8];
            Exactly(bytes, what);
            return BitConverter.ToDouble(bytes);
        }

        public long Int64(string what)
        {
            Span<byte> bytes = stackalloc byte[8];
            Exactly(bytes, what);
            return BitConverter.ToInt64(bytes);
        }

        public bool Boolean(string what)
        {
            int value = file.ReadByte();
            if (value < 0) throw Truncated(what);
            if (value > 1) throw Error($"has {value} where {what} (0 or 1) belongs");
            return value == 1;
        }

        /// <summary>A tensor as TorchSharp saves one: LEB128 dtype, rank and sizes, then its bytes, which are skipped.</summary>
        public void Tensor(int index, string moment, Parameter parameter)
        {
            string what = $"parameter {index}'s {moment}";
            long dtype = Leb128(what + " dtype", maxBytes: 2);
            if (dtype != (long)parameter.dtype)
                throw Error($"stores {what} as {DTypeName(dtype)}; the parameter is {parameter.dtype}");
            long rank = Leb128(what + " rank", maxBytes: 2);
            if (rank > MaxDimensions || rank != parameter.shape.Length)
                throw Error($"gives {what} {rank} dimensions; the parameter has {parameter.shape.Length} ([{string.Join(", ", parameter.shape)}])");
            Span<long> shape = stackalloc long[(int)rank];
            for (int d = 0; d < rank; d++) shape[d] = Leb128(what + " size", maxBytes: 10);
            if (!shape.SequenceEqual(parameter.shape))
                throw Error($"gives {what} the shape [{string.Join(", ", shape.ToArray())}]; the parameter is [{string.Join(", ", parameter.shape)}]");
            long bytes = parameter.numel() * parameter.ElementSize;
            if (file.Length - file.Position < bytes) throw Truncated($"{what}'s {bytes} bytes of data");
            file.Seek(bytes, SeekOrigin.Current);
        }

        private long Leb128(string what, int maxBytes)
        {
            long value = 0;
            for (int i = 0; i < maxBytes; i++)
            {
                int b = file.ReadByte();
                if (b < 0) throw Truncated(what);
                value |= (long)(b & 0x7f) << (7 * i);
                if ((b & 0x80) == 0)
                {
                    if (value < 0) break;
                    return value;
                }
            }

            throw Error($"has a damaged length where {what} belongs");
        }

        private void Exactly(Span<byte> buffer, string what)
        {
            if (file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length) throw Truncated(what);
        }

        private FormatException Truncated(string what) =>
            new($"{path} ends at byte {file.Length} before {what}: the file is truncated, or not an optimizer state.");

        private static string DTypeName(long code) =>
            code is >= 0 and <= sbyte.MaxValue && Enum.IsDefined((torch.ScalarType)(sbyte)code)
                ? ((torch.ScalarType)(sbyte)code).ToString()
                : $"dtype code {code}";
    }
}
