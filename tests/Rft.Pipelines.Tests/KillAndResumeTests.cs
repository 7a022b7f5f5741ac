using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Rft.Pipelines.Tests;

/// <summary>
/// The real thing: the generated host of a pipeline with a warm-up, a curriculum and a KL reference runs in a child process
/// that is killed with SIGKILL three times (in the warm-up, in RL, and while a checkpoint is being written) and resumed
/// with <c>--Rft:Resume</c> each time. The final weights, the optimizer state and every step line of metrics.jsonl (its
/// wall-clock fields aside) must be byte-identical to an uninterrupted run's.
/// </summary>
public class KillAndResumeTests
{
    private const int SigKill = 9;

    private static readonly string[] Options =
    [
        "--Rft:CheckpointEvery=2", "--Rft:KeepCheckpoints=2", "--Rft:LogEvery=1",
    ];

    [Fact]
    public void A_run_killed_three_times_and_resumed_ends_byte_identical_to_an_uninterrupted_one()
    {
        if (!OperatingSystem.IsLinux()) return;
        var root = Directory.CreateTempSubdirectory("rft-kill-");
        try
        {
            var whole = RunToEnd(Path.Combine(root.FullName, "whole"), resume: null);
            string killedRoot = Path.Combine(root.FullName, "killed");

            // 1. In the warm-up, after step 3: the run resumes from sft-000002.
            KillAfterLine(killedRoot, resume: null, line => IsStep(line, "sft", 3));
            string run = Directory.GetDirectories(killedRoot).Single();
            // 2. In RL, after step 3: resumes from rl-000002.
            KillAfterLine(killedRoot, resume: run, line => IsStep(line, "rl", 3));
            // 3. While rl-000006 is being written: the half-written folder is ignored, the run resumes from rl-000004.
            bool midWrite = KillDuringCheckpoint(killedRoot, run, "rl-000006");
            var resumed = RunToEnd(killedRoot, resume: run);

            Assert.True(midWrite, "the third kill did not land while the checkpoint was being written");
            Assert.Equal(6 + 8, whole.StepLines.Count);   // every warm-up and RL step, once
            Assert.Equal(whole.StepLines, resumed.StepLines);
            Assert.Equal(whole.Weights, resumed.Weights);
            Assert.Equal(whole.Optimizer, resumed.Optimizer);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    // A progress line such as "rl   step  3/8  loss ...".
    private static bool IsStep(string line, string phase, int step) =>
        System.Text.RegularExpressions.Regex.IsMatch(line, $@"^{phase}\s+step\s+{step}/");

    private sealed record Result(List<string> StepLines, byte[] Weights, byte[] Optimizer);

    private static Result RunToEnd(string runRoot, string? resume)
    {
        using var child = Start(runRoot, resume);
        var process = child.Process;
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "the run did not finish in 3 minutes");
        Assert.True(process.ExitCode == 0, $"the run exited {process.ExitCode}:\n{output}\n{child.Errors()}");
        string run = resume ?? Directory.GetDirectories(runRoot).Single();
        string checkpoint = Path.Combine(run, "checkpoint");
        return new Result(Rft.Hosting.MetricsFile.StepLinesWithoutWallClock(Path.Combine(run, "metrics.jsonl")), File.ReadAllBytes(Path.Combine(checkpoint, "model.safetensors")),
            File.ReadAllBytes(Path.Combine(checkpoint, "optimizer.dat")));
    }

    // Starts the run, reads its progress lines until one matches, then SIGKILLs it.
    private static void KillAfterLine(string runRoot, string? resume, Func<string, bool> match)
    {
        using var child = Start(runRoot, resume);
        var process = child.Process;
        var read = new List<string>();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            read.Add(line);
            if (!match(line)) continue;
            Kill(process);
            return;
        }

        Assert.Fail($"the run ended before the kill point (exit {process.ExitCode}):\n{string.Join('\n', read)}\n{child.Errors()}");
    }

    // Starts the resumed run and SIGKILLs it the moment the trainer starts writing checkpoint <paramref name="name"/>; true when
    // the kill left the half-written folder behind (so it did land during the write).
    private static bool KillDuringCheckpoint(string runRoot, string run, string name)
    {
        string checkpoints = Path.Combine(run, "checkpoints");
        using var child = Start(runRoot, run);
        var process = child.Process;
        string partial = Path.Combine(checkpoints, ".tmp-" + name);
        var watch = Stopwatch.StartNew();
        while (!Directory.Exists(partial))
        {
            if (process.HasExited) Assert.Fail($"the run ended before writing {name} (exit {process.ExitCode}): {child.Errors()}");
            if (watch.Elapsed > TimeSpan.FromMinutes(3)) Assert.Fail($"{name} was not written within 3 minutes");
            Thread.SpinWait(50);
        }

        Kill(process);
        return Directory.Exists(partial) && !Directory.Exists(Path.Combine(checkpoints, name));
    }

    // A started run and its standard error, drained from the start so the child never blocks on a full pipe.
    private sealed class Child(Process process) : IDisposable
    {
        private readonly Task<string> _errors = process.StandardError.ReadToEndAsync();

        public Process Process => process;

        // Everything the run wrote to standard error (call once it has exited).
        public string Errors() => _errors.Wait(TimeSpan.FromSeconds(30)) ? _errors.Result : "(standard error still open)";

        public void Dispose() => process.Dispose();
    }

    private static Child Start(string runRoot, string? resume)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(ResumeHostProgram).Assembly.Location);
        info.ArgumentList.Add("--Rft:RunDirectory=" + runRoot);
        foreach (var option in Options) info.ArgumentList.Add(option);
        if (resume is not null) info.ArgumentList.Add("--Rft:Resume=" + resume);
        return new Child(Process.Start(info)!);
    }

    private static void Kill(Process process)
    {
        _ = kill(process.Id, SigKill);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the killed run did not exit");
    }


    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
