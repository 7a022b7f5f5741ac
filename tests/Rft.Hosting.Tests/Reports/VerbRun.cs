using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Rft.Hosting.Tests.Reports;

/// <summary>One run of a verb through <see cref="RftHost"/>, its console captured.</summary>
public sealed record VerbRun(int ExitCode, string Out, string Error)
{
    public static async Task<VerbRun> RunAsync(string[] args, Action<HostApplicationBuilder>? configure = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = await RftHost.RunAsync(args, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(new RftConsole(output, error));
            configure?.Invoke(builder);
        });
        return new VerbRun(exitCode, output.ToString(), error.ToString());
    }
}
