using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Rft.Hosting.Commands;

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
    /// A verb as <c>args[0]</c> runs it instead of training (<c>&lt;verb&gt; --help</c> lists its flags): <c>sample</c>
    /// prints completions of a prompt, <c>eval</c> evaluates a checkpoint on the held-out records (eval.json),
    /// <c>report</c> writes a run's report.html. Without <c>--model</c> or a run, they take the newest run under
    /// <c>Rft:RunDirectory</c>. Exit codes as for training (2: an argument is invalid, with a message naming it).
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
        if (args.Length > 0 && RftCommandLine.IsVerb(args[0]))
            return await RftCommandLine.RunAsync(args, configure, cancellationToken).ConfigureAwait(false);

        if (CreateBuilder(args) is not { } builder) return TrainingOutcome.InvalidOptions;
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
    /// A host builder reading appsettings.json from the application's directory, environment variables and
    /// <paramref name="args"/>; null, with the problem written to standard error, when a configuration file is unreadable.
    /// </summary>
    internal static HostApplicationBuilder? CreateBuilder(string[] args)
    {
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
            return null;
        }

        KeepConsoleQuiet(builder);
        return builder;
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
