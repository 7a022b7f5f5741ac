using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// Times the phases of a step on the wall clock: <see cref="Lap"/> adds the time since the previous mark to a phase of
/// the step's report. On a GPU, work is queued and a phase's kernels may still run when its last call returns, so a lap
/// first waits for the device (one synchronisation per phase, not per kernel); on the CPU there is nothing to wait for.
/// Allocates nothing.
/// </summary>
public sealed class PhaseTimer(Device device)
{
    private readonly bool _queued = device.type == DeviceType.CUDA;
    private readonly Device _device = device;
    private long _mark = Stopwatch.GetTimestamp();

    /// <summary>Marks now as the start of the next phase.</summary>
    public void Restart() => _mark = Stopwatch.GetTimestamp();

    /// <summary>Adds the seconds since the previous mark to <paramref name="phase"/> of <paramref name="report"/>, and marks now.</summary>
    public void Lap(StepReport report, StepPhase phase)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (_queued) cuda.synchronize(_device);
        long now = Stopwatch.GetTimestamp();
        report.AddPhaseSeconds(phase, Stopwatch.GetElapsedTime(_mark, now).TotalSeconds);
        _mark = now;
    }
}
