namespace Rft.Models;

/// <summary>What loading a model cost.</summary>
/// <param name="WeightBytes">Bytes of the loaded parameters in their target dtype (the sum over tensors of elements x element size).</param>
/// <param name="PeakResidentBytes">
/// The process's peak resident memory during the load (Linux: <c>VmHWM</c> after resetting it through
/// <c>/proc/self/clear_refs</c>; elsewhere the process's peak working set, which may predate the load; 0 when unknown).
/// </param>
/// <param name="Seconds">Wall-clock time of the load.</param>
public sealed record ModelLoadReport(long WeightBytes, long PeakResidentBytes, double Seconds)
{
    /// <summary>Resident memory just before the load started (0 when unknown); the load's own peak is <c>PeakResidentBytes - ResidentBeforeBytes</c>.</summary>
    public long ResidentBeforeBytes { get; init; }

    /// <summary>Whether the peak was reset at the start of the load, so that <see cref="PeakResidentBytes"/> is the load's own peak.</summary>
    public bool PeakMeasuredFromLoadStart { get; init; }

    /// <summary>A one-line summary: "12.3 MB of weights in 0.21 s, peak resident 310.0 MB (+14.1 MB during the load)".</summary>
    public override string ToString()
    {
        static string Mb(long bytes) => (bytes / 1e6).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " MB";
        string peak = PeakResidentBytes <= 0 ? "peak resident memory unknown"
            : PeakMeasuredFromLoadStart ? $"peak resident {Mb(PeakResidentBytes)} (+{Mb(PeakResidentBytes - ResidentBeforeBytes)} during the load)"
            : $"peak resident {Mb(PeakResidentBytes)} (since the process started)";
        return $"{Mb(WeightBytes)} of weights in {Seconds.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)} s, {peak}";
    }
}
