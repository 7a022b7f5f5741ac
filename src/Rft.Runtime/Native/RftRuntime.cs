using System.Runtime.InteropServices;
using TorchSharp;

namespace Rft;

/// <summary>Process-wide runtime checks.</summary>
public static partial class RftRuntime
{
    private static readonly object Gate = new();
    private static bool _loaded;

    /// <summary>
    /// Loads libtorch through TorchSharp once, turning a native-load failure into a message that names
    /// the likely cause instead of TorchSharp's generic "missing package" text.
    /// </summary>
    /// <exception cref="RftNativeLibraryException">libtorch or libLibTorchSharp could not be loaded.</exception>
    public static void EnsureNativeLibrary()
    {
        lock (Gate)
        {
            if (_loaded) return;
            try
            {
                SetOpenMpSpin();
                torch.InitializeDeviceType(DeviceType.CPU);
                _loaded = true;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                throw new RftNativeLibraryException(Explain(exception), exception);
            }
        }
    }

    /// <summary>The spin of GNU OpenMP's idle workers this process asks for (<see cref="SetOpenMpSpin"/>).</summary>
    internal const string OpenMpSpinCount = "30000";

    /// <summary>
    /// Shortens how long libgomp's idle worker threads spin before they sleep, unless the user chose (<c>GOMP_SPINCOUNT</c>
    /// or <c>OMP_WAIT_POLICY</c> set): 30,000 iterations, under a millisecond, where libgomp's default of 300,000 spins for
    /// several milliseconds on this project's CPU. The operations of a forward or backward follow each other within
    /// microseconds, so their parallel regions still find the workers awake; but after an update's last region the default
    /// kept a worker spinning into the next rollout, whose decoding streams (one per core, <c>DecodeStreams</c>) lost that
    /// core's share (the speed bench's tiny rollout took 0.067 and 0.063 s with the default, 0.061 and 0.059 s with this,
    /// the update no longer). libgomp reads the variable once, when libtorch loads it, so this runs before; and through the
    /// C library's <c>setenv</c>, since .NET's own environment block does not reach native code on Unix (nor child
    /// processes: the PyTorch reference of the speed bench keeps its default).
    /// </summary>
    private static void SetOpenMpSpin()
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) return;
        if (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is not null || Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null) return;
        try
        {
            SetEnvironment("GOMP_SPINCOUNT", OpenMpSpinCount, overwrite: 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No C library to ask: libgomp keeps its default.
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);

    private static string Explain(Exception exception)
    {
        var folder = AppContext.BaseDirectory;
        var native = Path.Combine(folder, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", "libLibTorchSharp.so");
        var detail = exception.InnerException?.Message ?? exception.Message;
        return "TorchSharp's native library could not be loaded (" + detail.Trim() + "). " +
            "On Linux the usual cause is a system libstdc++ older than the one libLibTorchSharp.so was built against " +
            "(it asks for GLIBCXX_3.4.32; Debian 12 has 3.4.30). The Rft build marks that requirement weak in the build " +
            "and publish output (build/TorchSharpNativeFix.targets); if you copied the binaries by other means, rebuild " +
            "with 'dotnet build' or 'dotnet publish', or install a libstdc++ from GCC 13 or later. " +
            "Also check that the libtorch-cpu-linux-x64 package restored and that " + native + " exists.";
    }
}
