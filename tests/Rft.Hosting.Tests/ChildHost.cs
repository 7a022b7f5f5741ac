using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Rft.Hosting.Tests;

/// <summary>A training host in a child process (this test assembly run as a program, <see cref="SignalHostProgram"/>), for sending it real signals.</summary>
public sealed class ChildHost : IDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly BlockingCollection<string> _pending = [];
    private readonly List<string> _output = [];
    private readonly StringBuilder _error = new();

    private ChildHost(Process process) => _process = process;

    /// <summary>Every standard-output line read so far.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output) return _output.ToArray();
        }
    }

    public string Error
    {
        get
        {
            lock (_error) return _error.ToString();
        }
    }

    public static ChildHost Start(params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(SignalHostProgram).Assembly.Location);
        foreach (string arg in args) info.ArgumentList.Add(arg);

        var child = new ChildHost(new Process { StartInfo = info });
        child._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (child._output) child._output.Add(e.Data);
            child._pending.Add(e.Data);
        };
        child._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (child._error) child._error.AppendLine(e.Data);
        };
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Reads output lines until one satisfies <paramref name="match"/>; fails if the process exits or falls silent first.</summary>
    public string WaitForLine(Func<string, bool> match, string what)
    {
        while (true)
        {
            if (!_pending.TryTake(out var line, LineTimeout))
                throw new Xunit.Sdk.XunitException($"no line {what} within {LineTimeout.TotalSeconds} s (exited: {(_process.HasExited ? $"with {_process.ExitCode}" : "no")}, ran {_process.StartInfo.FileName} {string.Join(" ", _process.StartInfo.ArgumentList)}); output:\n{string.Join('\n', Output)}\n{Error}");
            if (match(line)) return line;
        }
    }

    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>SIGKILL: the process dies wherever it is, as in an out-of-memory kill.</summary>
    public void KillHard() => _process.Kill();

    /// <summary>The exit code; fails when the process is still running after <paramref name="timeout"/>.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) throw new Xunit.Sdk.XunitException($"the child host did not exit within {timeout.TotalSeconds} s; output:\n{string.Join('\n', Output)}\n{Error}");
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        _pending.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
