namespace Rft.Training;

/// <summary>
/// Resident memory of this process from <c>/proc/self/status</c> (Linux): the current set (VmRSS) and its peak
/// (VmHWM), which <see cref="ResetPeak"/> sets back to the current set by writing "5" to <c>/proc/self/clear_refs</c>.
/// It counts native allocations (libtorch tensors) as well as the managed heap. Elsewhere every value is null.
/// </summary>
public static class ProcessMemory
{
    private const string StatusPath = "/proc/self/status";
    private const string ClearRefsPath = "/proc/self/clear_refs";

    /// <summary>Resident bytes now, or null where /proc is not available.</summary>
    public static long? ResidentBytes() => Read("VmRSS:");

    /// <summary>Peak resident bytes since the process started or since the last <see cref="ResetPeak"/>.</summary>
    public static long? PeakResidentBytes() => Read("VmHWM:");

    /// <summary>Starts a new peak measurement; false when the kernel does not allow it (the peak then stays the process's).</summary>
    public static bool ResetPeak()
    {
        try
        {
            if (!File.Exists(ClearRefsPath)) return false;
            File.WriteAllText(ClearRefsPath, "5");
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? Read(string field)
    {
        try
        {
            if (!File.Exists(StatusPath)) return null;
            foreach (var line in File.ReadLines(StatusPath))
            {
                if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
                // "VmHWM:	  123456 kB"
                var value = line.AsSpan(field.Length).Trim();
                int space = value.IndexOf(' ');
                if (space > 0) value = value[..space];
                return long.TryParse(value, out long kilobytes) ? kilobytes * 1024 : null;
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
