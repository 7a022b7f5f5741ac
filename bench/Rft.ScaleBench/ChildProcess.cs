using System.Diagnostics;
using System.Text.Json;

namespace Rft.ScaleBench;

/// <summary>Starts this program as a child with <c>child</c> and the given options, and reads its RESULT line.</summary>
internal static class ChildProcess
{
    public static JsonElement? Run(IEnumerable<string> options, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        string assembly = typeof(ChildProcess).Assembly.Location;
        // Under the dotnet host (dotnet Rft.ScaleBench.dll) the child needs the assembly; the apphost is the program itself.
        // (Not GetFileNameWithoutExtension of the apphost: it takes ".ScaleBench" for an extension.)
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("child");
        foreach (var option in options) start.ArgumentList.Add(option);
        // Freed tensors go back to the system, so the resident set follows the live tensors rather than malloc's arenas.
        start.Environment["MALLOC_MMAP_THRESHOLD_"] = "65536";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Console.WriteLine($"  (killed after {timeout.TotalMinutes:F0} min)");
            return null;
        }

        var line = output.Result.Split('\n').LastOrDefault(l => l.StartsWith(Child.ResultPrefix, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            Console.WriteLine($"  (child exited {process.ExitCode} without a result)");
            return null;
        }

        return JsonDocument.Parse(line[Child.ResultPrefix.Length..]).RootElement.Clone();
    }

    public static double MiB(long bytes) => bytes / 1048576.0;
}
