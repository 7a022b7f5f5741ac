using System.Runtime.InteropServices;
using TorchSharp;

namespace Rft;

/// <summary>Process-wide runtime checks.</summary>
public static class RftRuntime
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
                torch.InitializeDeviceType(DeviceType.CPU);
                _loaded = true;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                throw new RftNativeLibraryException(Explain(exception), exception);
            }
        }
    }

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
