using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Rft.Training;

namespace Rft.Hosting.Tests;

/// <summary>Real signals sent to a training host in a child process, then the run resumed here (POSIX only).</summary>
public sealed class SignalTests : IDisposable
{
    // A run the child host trains: one warm-up step, then slow RL steps with a checkpoint every 5.
    private static readonly string[] Run = ["--Rft:WarmUpSteps=1", "--Rft:Steps=200", "--Rft:LogEvery=1", "--Rft:CheckpointEvery=5"];

    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task SIGTERM_finishes_the_step_saves_the_checkpoint_and_summary_exits_0_and_the_run_resumes()
    {
        if (OperatingSystem.IsWindows()) return;
        using var child = ChildHost.Start([$"--Rft:RunDirectory={_root.Path}", .. Run, "--step-ms=20"]);
        child.WaitForLine(line => IsRlStep(line, 12), "for RL step 12");

        child.Signal(ChildHost.SigTerm);

        Assert.Equal(0, child.WaitForExit(TimeSpan.FromSeconds(90)));
        Assert.Contains(child.Output, line => line.StartsWith("stopping: the current step finishes", StringComparison.Ordinal));
        string run = Assert.Single(Directory.GetDirectories(_root.Path));
        var manifest = CheckpointManifest.Verify(Path.Combine(run, "checkpoint"), "Fake");
        Assert.Equal(CheckpointReason.Interrupted, manifest.Reason);
        Assert.InRange(manifest.Position.Step, 12, 199);
        var resumed = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), [.. Run, "--Rft:Resume=latest"]);
        Assert.True(resumed.Summary().GetProperty("completed").GetBoolean());
        AssertEveryStepOnce(resumed);
    }

    [Fact]
    public async Task A_second_Ctrl_C_while_the_checkpoint_is_written_exits_at_once_with_130_and_the_run_resumes_from_the_previous_checkpoint()
    {
        if (OperatingSystem.IsWindows()) return;
        // Once stopping, saving a checkpoint takes two minutes: only an immediate exit ends the process sooner.
        using var child = ChildHost.Start([$"--Rft:RunDirectory={_root.Path}", .. Run, "--step-ms=20", "--stopping-checkpoint-ms=120000"]);
        child.WaitForLine(line => IsRlStep(line, 12), "for RL step 12");
        string run = Assert.Single(Directory.GetDirectories(_root.Path));
        child.Signal(ChildHost.SigInt);
        child.WaitForLine(line => line.StartsWith("stopping", StringComparison.Ordinal), "acknowledging the stop");
        var writing = Stopwatch.StartNew();
        while (!Directory.EnumerateDirectories(Path.Combine(run, "checkpoints"), ".tmp-*").Any())
        {
            Assert.True(writing.Elapsed < TimeSpan.FromSeconds(90), "the final checkpoint was never started");
            Thread.Sleep(20);
        }

        child.Signal(ChildHost.SigInt);

        Assert.Equal(130, child.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains("Ctrl+C again: exiting at once (code 130) without the final checkpoint and summary.", child.Error);
        Assert.Contains($"--Rft:Resume={run}", child.Error);
        Assert.False(Directory.Exists(Path.Combine(run, "checkpoint")));
        Assert.False(File.Exists(Path.Combine(run, "summary.json")));
        var newest = new CheckpointStore(run, "Fake").SelectNewestValid(out var rejected);
        Assert.Empty(rejected);
        Assert.Equal(CheckpointReason.Periodic, newest!.Manifest!.Reason);
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(run, "checkpoints"), ".tmp-*"));

        var resumed = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), [.. Run, "--Rft:Resume=latest"]);
        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal("Load:" + newest.Directory, resumed.Trainer!.Calls[1]);
        AssertEveryStepOnce(resumed);
    }

    [Fact]
    public async Task A_run_killed_with_SIGKILL_resumes_from_its_newest_periodic_checkpoint()
    {
        if (OperatingSystem.IsWindows()) return;
        using var child = ChildHost.Start([$"--Rft:RunDirectory={_root.Path}", .. Run, "--step-ms=20"]);
        child.WaitForLine(line => IsRlStep(line, 17), "for RL step 17");

        child.KillHard();

        Assert.NotEqual(0, child.WaitForExit(TimeSpan.FromSeconds(60)));
        var resumed = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), [.. Run, "--Rft:Resume=latest"]);
        Assert.Equal(0, resumed.ExitCode);
        Assert.StartsWith("Load:" + Path.Combine(resumed.RunDirectory, "checkpoints", "rl-0000"), resumed.Trainer!.Calls[1], StringComparison.Ordinal);
        AssertEveryStepOnce(resumed);
    }

    [Theory]
    [InlineData(PosixSignal.SIGINT, 130, "Ctrl+C again")]
    [InlineData(PosixSignal.SIGTERM, 143, "SIGTERM again")]
    public void The_first_signal_stops_the_application_and_a_second_exits_with_128_plus_its_number(PosixSignal signal, int code, string message)
    {
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var error = new StringWriter();
        var exits = new List<int>();
        using var handler = new SecondInterrupt(lifetime, new RftConsole(TextWriter.Null, error), () => "runs/Fake-1", exits.Add);

        Assert.Null(handler.OnSignal(signal));
        Assert.True(lifetime.ApplicationStopping.IsCancellationRequested);
        Assert.Empty(exits);

        Assert.Equal(code, handler.OnSignal(signal));
        Assert.Equal([code], exits);
        Assert.Contains($"{message}: exiting at once (code {code})", error.ToString());
        Assert.Contains("--Rft:Resume=runs/Fake-1", error.ToString());
    }

    // "rl   step  12/200  loss ...": the step is right-aligned to the width of the total.
    private static bool IsRlStep(string line, int step) =>
        line.StartsWith("rl ", StringComparison.Ordinal) && line.Contains($" {step}/200 ", StringComparison.Ordinal);

    // metrics.jsonl of the whole run, across processes: the warm-up step, its evaluation, RL steps 1..200 once each, the final evaluation.
    private static void AssertEveryStepOnce(TrainingRun run)
    {
        var lines = run.Metrics();
        string[] expected = ["sft 1", "eval sft", .. Enumerable.Range(1, 200).Select(step => $"rl {step}"), "eval rl"];
        Assert.Equal(expected, lines.Select(line => line.GetProperty("phase").GetString() == "eval"
            ? "eval " + line.GetProperty("name").GetString()
            : $"{line.GetProperty("phase").GetString()} {line.GetProperty("step").GetInt32()}"));
    }
}
