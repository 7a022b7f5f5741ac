using System.Diagnostics;
using static TorchSharp.torch;

namespace Rft.Models.Formats;

/// <summary>
/// Measures a model load: resets the kernel's resident-memory high-water mark first (Linux: writing "5" to
/// <c>/proc/self/clear_refs</c>), then reads <c>VmHWM</c> from <c>/proc/self/status</c> when the load ends.
/// Where either file is unavailable it falls back to <see cref="Process.PeakWorkingSet64"/>, a peak since the process started.
/// </summary>
internal sealed class LoadMeter
{
    private readonly long _started;
    private readonly long _before;
    private readonly bool _reset;

    private LoadMeter()
    {
        // Loading libtorch maps its code and allocator, which is not the load's cost (and gives its failure a clear message).
        RftRuntime.EnsureNativeLibrary();
        _reset = Training.ProcessMemory.ResetPeak();
        _before = Training.ProcessMemory.ResidentBytes() ?? 0;
        _started = Stopwatch.GetTimestamp();
    }

    public static LoadMeter Start() => new();

    public ModelLoadReport Finish(nn.Module model)
    {
        long weights = 0;
        foreach (var parameter in model.parameters()) weights += parameter.numel() * parameter.element_size();
        double seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        long peak = Training.ProcessMemory.PeakResidentBytes() ?? FallbackPeak();
        return new ModelLoadReport(weights, peak, seconds) { ResidentBeforeBytes = _before, PeakMeasuredFromLoadStart = _reset && peak > 0 };
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
