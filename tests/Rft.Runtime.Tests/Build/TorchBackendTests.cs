using System.Diagnostics;
using System.Text.Json;

namespace Rft.Runtime.Tests.Build;

/// <summary>
/// <c>RftTorchBackend</c> chooses the libtorch package the runtime references. The CUDA package is not served by this
/// machine's mirror, so the selection itself is checked: MSBuild's evaluated package references, which need no restore.
/// </summary>
public class TorchBackendTests
{
    [Theory]
    [InlineData(null, "libtorch-cpu-linux-x64")]
    [InlineData("cpu", "libtorch-cpu-linux-x64")]
    [InlineData("cuda", "libtorch-cuda-12.8-linux-x64")]
    public void The_backend_property_selects_one_libtorch_package(string? backend, string expected)
    {
        var (exitCode, output) = MsBuild("-getItem:PackageReference" + (backend is null ? "" : " -p:RftTorchBackend=" + backend));
        Assert.True(exitCode == 0, output);
        var libtorch = JsonDocument.Parse(output).RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
            .Select(item => item.GetProperty("Identity").GetString()!)
            .Where(id => id.StartsWith("libtorch", StringComparison.Ordinal))
            .ToList();
        Assert.Equal([expected], libtorch);
        Assert.Equal(Rft.Training.DeviceSettings.CudaBackendPackage, "libtorch-cuda-12.8-linux-x64");
    }

    [Fact]
    public void An_unknown_backend_stops_the_build_with_the_valid_ones()
    {
        var (exitCode, output) = MsBuild("-t:CollectPackageReferences -p:RftTorchBackend=rocm");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("RftTorchBackend = 'rocm' is not a libtorch backend Rft knows: use cpu (libtorch-cpu-linux-x64) or cuda (libtorch-cuda-12.8-linux-x64).", output);
    }

    private static (int ExitCode, string Output) MsBuild(string arguments)
    {
        string project = Path.Combine(SharedFiles.RepositoryRoot, "src", "Rft.Runtime", "Rft.Runtime.csproj");
        var start = new ProcessStartInfo("dotnet", $"msbuild \"{project}\" -nologo {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["MSBUILDNOINPROCNODE"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "dotnet msbuild did not finish in 2 minutes");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
