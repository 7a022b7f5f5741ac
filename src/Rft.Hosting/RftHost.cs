using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Rft.Hosting.Sampling;

namespace Rft.Hosting;

/// <summary>The entry point of a pipeline program: <c>return await RftHost.RunAsync(args, builder => builder.Services.AddMyPipeline());</c></summary>
public static class RftHost
{
    // The trainer finishes its step and saves a checkpoint after a stop request; the host's 30 s default can be too short.
    private static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Builds a generic host from <paramref name="args"/> (appsettings.json in the application's directory,
    /// environment variables, the command line: <c>--Rft:Steps=5</c>), lets <paramref name="configure"/> register
    /// the pipeline, runs it and returns the exit code: 0 when training completed or was interrupted by a stop
    /// request (Ctrl+C, SIGTERM), 1 when it failed, 2 when an option was invalid or a resume was refused
    /// (<c>--Rft:Resume</c>); a second Ctrl+C or SIGTERM while stopping exits at once with 130 or 143.
    /// <para>
    /// <c>args[0] == "sample"</c> runs the sampling verb instead of training:
    /// <c>sample [--model &lt;path&gt;] --prompt "&lt;text&gt;" [--count N] [--temperature T] [--top-p P] [--max-tokens M] [--seed S] [--chat] [--device cpu|cuda]</c>
    /// prints one numbered line per completion; without <c>--model</c> it samples from the newest run's checkpoint under
    /// <c>Rft:RunDirectory</c>. Exit codes as for training (2: a flag is invalid, with a message naming it).
    /// </para>
    /// </summary>
    public static Task<int> RunAsync(string[] args, Action<HostApplicationBuilder> configure) =>
        RunAsync(args, configure, CancellationToken.None);

    /// <summary>
    /// As <see cref="RunAsync(string[], Action{HostApplicationBuilder})"/>; cancelling <paramref name="cancellationToken"/>
    /// stops the run like Ctrl+C does.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, Action<HostApplicationBuilder> configure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configure);
        if (args.Length > 0 && args[0] == "sample") return Sample(args[1..], configure);

        HostApplicationBuilder builder;
        try
        {
            // The application's directory, not the working directory, holds appsettings.json after a build.
            builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                Args = args,
                ContentRootPath = AppContext.BaseDirectory,
            });
        }
        catch (Exception exception) when (exception is InvalidDataException or FormatException)
        {
            OptionsProblems.WriteUnreadable(RftConsole.Standard.Error, exception);
            return TrainingOutcome.InvalidOptions;
        }

        KeepConsoleQuiet(builder);
        if (builder.Configuration["shutdownTimeoutSeconds"] is null)
        {
            builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = DefaultShutdownTimeout);
        }

        configure(builder);
        using var host = builder.Build();
        var console = host.Services.GetService<RftConsole>() ?? RftConsole.Standard;
        var outcome = host.Services.GetService<TrainingOutcome>();

        // Stop at once, as Ctrl+C does; the host alone would only notice the token once it has started.
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        using var stopOnCancel = cancellationToken.Register(static lifetime => ((IHostApplicationLifetime)lifetime!).StopApplication(), lifetime);

        // A second Ctrl+C or SIGTERM exits at once; listening after start puts this handler before the console lifetime's.
        using var secondInterrupt = new SecondInterrupt(lifetime, console, () => outcome?.RunDirectory, Environment.Exit);
        using var listen = lifetime.ApplicationStarted.Register(secondInterrupt.Register);
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (OptionsProblems.TryCollect(exception, out var failures))
        {
            OptionsProblems.Write(console.Error, failures);
            return TrainingOutcome.InvalidOptions;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped before the host had started: nothing ran, nothing was lost.
            return TrainingOutcome.Success;
        }
        catch (Exception exception)
        {
            console.Error.WriteLine($"The host failed: {exception.Message}");
            console.Error.WriteLine(exception);
            return TrainingOutcome.TrainingFailed;
        }

        if (outcome is { Status: TrainingStatus.NotFinished })
        {
            console.Error.WriteLine(
                "Training did not stop within the host's shutdown timeout (raise it with --shutdownTimeoutSeconds=N)" +
                (outcome.RunDirectory is null ? "." : $"; the checkpoint and summary in {outcome.RunDirectory} may be missing."));
        }

        return outcome?.ExitCode ?? TrainingOutcome.Success;
    }

    /// <summary>
    /// The <c>sample</c> verb. The pipeline's registrations are applied (not started) so the console and the run root
    /// (<c>Rft:RunDirectory</c> from appsettings.json, the environment or <c>--Rft:RunDirectory=...</c>) are those training uses.
    /// </summary>
    private static int Sample(string[] args, Action<HostApplicationBuilder> configure)
    {
        var options = SampleArguments.Parse(args, out var error);
        HostApplicationBuilder builder;
        try
        {
            builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                Args = HostArguments(args),
                ContentRootPath = AppContext.BaseDirectory,
            });
        }
        catch (Exception exception) when (exception is InvalidDataException or FormatException)
        {
            OptionsProblems.WriteUnreadable(RftConsole.Standard.Error, exception);
            return TrainingOutcome.InvalidOptions;
        }

        KeepConsoleQuiet(builder);
        configure(builder);
        using var host = builder.Build();
        var console = host.Services.GetService<RftConsole>() ?? RftConsole.Standard;
        if (SampleArguments.WantsHelp(args))
        {
            console.Out.WriteLine(SampleArguments.Usage);
            return TrainingOutcome.Success;
        }

        if (options is null)
        {
            console.Error.WriteLine(error);
            console.Error.WriteLine(SampleArguments.Usage);
            return TrainingOutcome.InvalidOptions;
        }

        string runRoot = builder.Configuration["Rft:RunDirectory"] is { Length: > 0 } root ? root : DefaultRunRoot;
        try
        {
            return SampleCommand.Run(options, runRoot, console);
        }
        catch (Exception exception)
        {
            console.Error.WriteLine($"sample failed: {exception.Message}");
            console.Error.WriteLine(exception);
            return TrainingOutcome.TrainingFailed;
        }
    }

    // The generated options' default for Rft:RunDirectory.
    private const string DefaultRunRoot = "runs";

    // Only host configuration (--Rft:Key=value, --Rft:Key value) reaches the host; the sample flags are not configuration.
    private static string[] HostArguments(string[] args)
    {
        var host = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--Rft:", StringComparison.OrdinalIgnoreCase) && !args[i].StartsWith("/Rft:", StringComparison.OrdinalIgnoreCase)) continue;
            host.Add(args[i]);
            if (!args[i].Contains('=') && i + 1 < args.Length) host.Add(args[++i]);
        }

        return host.ToArray();
    }

    /// <summary>Progress lines are the console's content: host chatter is off, and the training service reports for itself.</summary>
    private static void KeepConsoleQuiet(HostApplicationBuilder builder)
    {
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        builder.Logging.AddSimpleConsole(options => options.SingleLine = true);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        // The host logs start-up failures and stopped services itself; RunAsync and the training service print them once, readably.
        builder.Logging.AddFilter<ConsoleLoggerProvider>("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Logging.AddFilter<ConsoleLoggerProvider>(typeof(TrainingService).FullName, LogLevel.None);
    }
}
