using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace Rft.Hosting;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM: the first asks the run to stop gracefully (the step in progress finishes, then the
/// checkpoint and the summary are written); a second one while it does exits at once, with 128 + the signal's number
/// (130 for SIGINT, 143 for SIGTERM). Exiting mid-write corrupts nothing: checkpoints, <c>options.json</c>,
/// <c>summary.json</c> and the <c>latest</c> pointer are only ever renamed into place whole, and <c>metrics.jsonl</c>
/// is cut back to the checkpoint at resume. Register after the host has started, so this handler runs before the
/// console lifetime's (handlers run newest first).
/// </summary>
internal sealed class SecondInterrupt : IDisposable
{
    private readonly IHostApplicationLifetime _lifetime;
    private readonly RftConsole _console;
    private readonly Func<string?> _runDirectory;
    private readonly Action<int> _exit;
    private readonly List<PosixSignalRegistration> _registrations = [];

    public SecondInterrupt(IHostApplicationLifetime lifetime, RftConsole console, Func<string?> runDirectory, Action<int> exit)
    {
        _lifetime = lifetime;
        _console = console;
        _runDirectory = runDirectory;
        _exit = exit;
    }

    /// <summary>Listens for SIGINT and SIGTERM where the platform has them.</summary>
    public void Register()
    {
        if (OperatingSystem.IsBrowser() || OperatingSystem.IsIOS() || OperatingSystem.IsTvOS() || OperatingSystem.IsAndroid() || OperatingSystem.IsWasi()) return;
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle));
    }

    /// <summary>The handler: the first signal stops the application; one that comes while it stops exits the process.</summary>
    /// <returns>The exit code the process was asked to exit with, or null for a graceful stop.</returns>
    internal int? OnSignal(PosixSignal signal)
    {
        if (!_lifetime.ApplicationStopping.IsCancellationRequested)
        {
            _lifetime.StopApplication();
            return null;
        }

        int code = 128 + (signal == PosixSignal.SIGTERM ? 15 : 2);
        string? run = _runDirectory();
        _console.Error.WriteLine(
            $"{(signal == PosixSignal.SIGTERM ? "SIGTERM" : "Ctrl+C")} again: exiting at once (code {code}) without the final checkpoint and summary." +
            (run is null ? "" : $" Resume from the newest complete checkpoint with --Rft:Resume={run}"));
        _exit(code);
        return code;
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _registrations.Clear();
    }

    private void Handle(PosixSignalContext context)
    {
        // Handled here: neither the console lifetime nor the runtime's default (terminate) acts on it.
        context.Cancel = true;
        OnSignal(context.Signal);
    }
}
