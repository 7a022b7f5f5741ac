using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rft.Training;

namespace Rft.Hosting.Tests;

/// <summary>
/// The test assembly's entry point when it runs as a program (<c>dotnet Rft.Hosting.Tests.dll --Rft:...</c>): a real
/// training host around a <see cref="FakeTrainer"/> whose steps take <c>--step-ms</c> and whose checkpoints, once a
/// stop was requested, take <c>--stopping-checkpoint-ms</c>; the signal tests send it real signals.
/// </summary>
public static class SignalHostProgram
{
    public static Task<int> Main(string[] args)
    {
        var script = new TrainerScript
        {
            StepDelay = TimeSpan.FromMilliseconds(Number(args, "--step-ms")),
            StoppingCheckpointDelay = TimeSpan.FromMilliseconds(Number(args, "--stopping-checkpoint-ms")),
        };
        string[] hostArgs = args.Where(arg => arg.StartsWith("--Rft:", StringComparison.Ordinal)).ToArray();
        return RftHost.RunAsync(hostArgs, builder =>
        {
            builder.Services.AddRftOptions<FakeOptions>();
            builder.Services.AddSingleton<IPipelineTrainer>(provider => new FakeTrainer(
                provider.GetRequiredService<FakeOptions>(), script, provider.GetRequiredService<IHostApplicationLifetime>()));
            builder.Services.AddRftTraining();
        });
    }

    private static int Number(string[] args, string name) =>
        args.FirstOrDefault(arg => arg.StartsWith(name + "=", StringComparison.Ordinal)) is { } arg
            ? int.Parse(arg.AsSpan(name.Length + 1), CultureInfo.InvariantCulture)
            : 0;
}
