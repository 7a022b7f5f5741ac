using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// Turns the <c>Rft:Device</c> and <c>Rft:Precision</c> options into TorchSharp's device and dtype, and stops a run at
/// start, before any work, when the device is not there: a CUDA device needs a CUDA build of libtorch
/// (<c>RftTorchBackend=cuda</c>) and that GPU.
/// </summary>
public static class DeviceSettings
{
    /// <summary>The NuGet package of libtorch with CUDA that TorchSharp 0.107 uses (what <c>RftTorchBackend=cuda</c> references).</summary>
    public const string CudaBackendPackage = "libtorch-cuda-12.8-linux-x64";

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public static bool TryParse(string? name, out (DeviceType Type, int Index) device)
    {
        device = (DeviceType.CPU, -1);
        if (name == "cpu") return true;
        if (name == "cuda")
        {
            device = (DeviceType.CUDA, -1);
            return true;
        }

        if (name is not null && name.StartsWith("cuda:", StringComparison.Ordinal) && name.Length is > 5 and <= 8
            && name.AsSpan(5).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            device = (DeviceType.CUDA, int.Parse(name.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture));
            return true;
        }

        return false;
    }

    /// <summary>
    /// The device named by <paramref name="name"/> (option <paramref name="option"/>), after checking this process can use it.
    /// </summary>
    /// <exception cref="InvalidOptionException">The name is not a device, the loaded libtorch has no CUDA, or there is no such GPU;
    /// the host reports it like any invalid option (exit code 2).</exception>
    public static Device Resolve(string name, string option = "Rft:Device")
    {
        if (!TryParse(name, out var parsed)) throw Invalid($"{option} = '{name}' is not a device: use cpu, cuda or cuda:N (N the GPU's index).");
        if (parsed.Type == DeviceType.CPU) return CPU;
        if (!cuda.is_available())
        {
            throw Invalid($"{option} = '{name}', but the libtorch this program loaded has no CUDA support (or no GPU is visible). " +
                $"Build with the CUDA backend: add <RftTorchBackend>cuda</RftTorchBackend> to the project (it references {CudaBackendPackage} instead of libtorch-cpu-linux-x64), " +
                $"or use {option} = cpu.");
        }

        int count = cuda.device_count();
        if (parsed.Index >= count) throw Invalid($"{option} = '{name}', but this machine has {count} CUDA device(s): use cuda:0 to cuda:{count - 1}.");
        return parsed.Index < 0 ? CUDA : new Device(DeviceType.CUDA, parsed.Index);
    }

    /// <summary>The weights' dtype for a <see cref="Precision"/>.</summary>
    public static ScalarType DType(Precision precision) => precision switch
    {
        Precision.Fp32 => ScalarType.Float32,
        Precision.Bf16 => ScalarType.BFloat16,
        _ => throw Invalid($"Rft:Precision = {precision} is invalid: use {string.Join(" or ", Enum.GetNames<Precision>())}."),
    };

    private static InvalidOptionException Invalid(string message) => new(message);
}
