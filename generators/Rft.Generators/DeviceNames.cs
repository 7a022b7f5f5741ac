namespace Rft.Generators;

/// <summary>The device names a trainer accepts: <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> (the runtime's <c>DeviceSettings</c> parses the same).</summary>
internal static class DeviceNames
{
    public static bool IsValid(string device)
    {
        if (device is "cpu" or "cuda") return true;
        if (!device.StartsWith("cuda:", System.StringComparison.Ordinal) || device.Length == 5) return false;
        for (int i = 5; i < device.Length; i++)
        {
            if (device[i] is < '0' or > '9') return false;
        }

        return device.Length <= 8;
    }
}
