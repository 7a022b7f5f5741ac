using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;

namespace Rft.Models.Formats;

/// <summary>
/// Measures a model load: resets the kernel's resident-memory high-water mark first (Linux: writing "5" to
/// <c>/proc/self/clear_refs</c>), then reads <c>VmHWM</c> from <c>/proc/self/status</c> when the load ends.
/// Where either file is unavailable it falls back to <see cref="Process.PeakWorkingSet64"/>, a peak since the process started.
/// </summary>
internal sealed class LoadMeter
{
    private const string ClearRefs = "/proc/self/clear_refs";
    private const string Status = "/proc/self/status";

    private readonly long _started;
    private readonly long _before;
    private readonly bool _reset;

    private LoadMeter()
    {
        // Loading libtorch maps its code and allocator, which is not the load's cost (and gives its failure a clear message).
        RftRuntime.EnsureNativeLibrary();
        _reset = TryResetPeak();
        _before = ReadStatusBytes("VmRSS:") ?? 0;
        _started = Stopwatch.GetTimestamp();
    }

    public static LoadMeter Start() => new();

    public ModelLoadReport Finish(nn.Module model)
    {
        long weights = 0;
        foreach (var parameter in model.parameters()) weights += parameter.numel() * parameter.element_size();
        double seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        long peak = ReadStatusBytes("VmHWM:") ?? FallbackPeak();
        return new ModelLoadReport(weights, peak, seconds) { ResidentBeforeBytes = _before, PeakMeasuredFromLoadStart = _reset && peak > 0 };
    }

    private static bool TryResetPeak()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            File.WriteAllText(ClearRefs, "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // "VmHWM:    123456 kB" -> bytes.
    private static long? ReadStatusBytes(string field)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            foreach (var line in File.ReadLines(Status))
            {
                if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
                var parts = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kb) ? kb * 1024 : null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static long FallbackPeak()
    {
        try
        {
            using var process = Process.GetCurrentProcess();
            return process.PeakWorkingSet64;
        }
        catch (Exception e) when (e is PlatformNotSupportedException or InvalidOperationException)
        {
            return 0;
        }
    }
}
