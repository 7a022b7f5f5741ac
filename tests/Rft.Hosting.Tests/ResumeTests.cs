using System.Security.Cryptography;
using System.Text.Json;
using Rft.Training;

namespace Rft.Hosting.Tests;

public sealed class ResumeTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Every_CheckpointEvery_steps_a_checkpoint_is_written_between_steps_and_the_newest_KeepCheckpoints_are_kept()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:CheckpointEvery=2", "--Rft:KeepCheckpoints=2"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([".tmp-sft-000002", ".tmp-rl-000002", ".tmp-rl-000004", ".tmp-checkpoint"], run.Trainer!.CheckpointFolders.Select(Path.GetFileName));
        string checkpoints = Path.Combine(run.RunDirectory, "checkpoints");
        Assert.Equal(["latest", "rl-000002", "rl-000004"], Directory.EnumerateFileSystemEntries(checkpoints).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var manifest = CheckpointManifest.Verify(Path.Combine(checkpoints, "rl-000004"), "Fake");
        Assert.Equal(new CheckpointPosition(TrainingPhase.Rl, 4), manifest.Position);
        Assert.Equal(3, manifest.SftSteps);
        Assert.Equal(CheckpointReason.Periodic, manifest.Reason);
        // Written between steps 4 and 5: the trainer's state is that after step 4.
        Assert.Equal(new TrainerState("Fake", 7, 3, 4), Checkpoint.ReadState(Path.Combine(checkpoints, "rl-000004")));
        Assert.Equal("checkpoint\n", File.ReadAllText(Path.Combine(checkpoints, "latest")));
        Assert.Equal(CheckpointReason.Completed, CheckpointManifest.Verify(Path.Combine(run.RunDirectory, "checkpoint"), "Fake").Reason);
    }

    [Fact]
    public async Task A_run_that_died_mid_RL_resumes_from_its_newest_checkpoint_and_metrics_go_on_without_duplicates()
    {
        var first = await TrainingRun.RunAsync(_root.Path, new TrainerScript { ThrowAtRlStep = 5 }, ["--Rft:CheckpointEvery=3", "--Rft:Steps=6"]);
        Assert.Equal(1, first.ExitCode);
        Assert.Equal("sft1 sft2 sft3 eval:sft rl1 rl2 rl3 rl4", Trace(first));

        var second = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:CheckpointEvery=3", "--Rft:Steps=6", "--Rft:Resume=latest"]);

        Assert.Equal(0, second.ExitCode);
        string resumedFrom = Path.Combine(second.RunDirectory, "checkpoints", "rl-000003");
        Assert.Equal(["Setup", "Load:" + resumedFrom, "Train", "Checkpoint", "Evaluate:rl", "Checkpoint", "Dispose"], second.Trainer!.Calls);
        Assert.Equal("sft1 sft2 sft3 eval:sft rl1 rl2 rl3 rl4 rl5 rl6 eval:rl", Trace(second));
        Assert.Contains(second.OutLines(), line => line.Contains($"resuming {second.RunDirectory} from {resumedFrom} (rl step 3); metrics.jsonl keeps 7 lines and drops 1 written after the checkpoint", StringComparison.Ordinal));
        Assert.Equal("", second.Error.ToString());

        var summary = second.Summary();
        Assert.True(summary.GetProperty("completed").GetBoolean());
        Assert.Equal(3, summary.GetProperty("sft_steps").GetInt32());
        Assert.Equal(6, summary.GetProperty("rl_steps").GetInt32());
        Assert.Equal(0.246, summary.GetProperty("sft_accuracy").GetDouble(), 1e-12);
        Assert.Equal(0.5, summary.GetProperty("rl_accuracy").GetDouble(), 1e-12);
        Assert.Equal(resumedFrom, summary.GetProperty("resumed_from").GetString());
        Assert.Equal(6, summary.GetProperty("final_step_metrics").GetProperty("step").GetInt32());
    }

    [Fact]
    public async Task A_run_stopped_in_the_warm_up_resumes_the_warm_up_then_evaluates_and_trains()
    {
        var first = await TrainingRun.RunAsync(_root.Path, new TrainerScript { DuringSftStep = (step, trainer) => { if (step == 2) trainer.Lifetime.StopApplication(); } });
        Assert.Equal(0, first.ExitCode);
        Assert.Equal("sft1 sft2", Trace(first));
        string checkpoint = Path.Combine(first.RunDirectory, "checkpoint");
        Assert.Contains(first.OutLines(), line => line.EndsWith($"resume with --Rft:Resume={first.RunDirectory}", StringComparison.Ordinal));

        var second = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), [$"--Rft:Resume={first.RunDirectory}"]);

        Assert.Equal(0, second.ExitCode);
        Assert.Equal(["Setup", "Load:" + checkpoint, "WarmUp", "Evaluate:sft", "Train", "Evaluate:rl", "Checkpoint", "Dispose"], second.Trainer!.Calls);
        Assert.Equal("sft1 sft2 sft3 eval:sft rl1 rl2 rl3 rl4 rl5 eval:rl", Trace(second));
        var manifest = CheckpointManifest.Verify(checkpoint, "Fake");
        Assert.Equal(CheckpointReason.Completed, manifest.Reason);
        Assert.Equal(new CheckpointPosition(TrainingPhase.Rl, 5), manifest.Position);
    }

    [Fact]
    public async Task Options_that_change_the_math_are_refused_with_exit_2_and_the_run_directory_is_left_as_it_was()
    {
        var first = await StoppedAtRlStep3();
        var before = Snapshot(first.RunDirectory);

        var second = await TrainingRun.RunAsync(_root.Path, new TrainerScript(),
            ["--Rft:Resume=latest", "--Rft:LearningRate=0.001", "--Rft:GroupSize=4", "--Rft:LogEvery=1"]);

        Assert.Equal(2, second.ExitCode);
        string error = second.Error.ToString();
        Assert.Contains($"Rft:Resume: {first.RunDirectory} started with other values of 2 options that change the run's math:", error);
        Assert.Contains("  Rft:GroupSize: 8 then, 4 now", error);
        Assert.Contains("  Rft:LearningRate: 3E-05 then, 0.001 now", error);
        Assert.Contains("pass --Rft:ResumeOverride=true to continue with the new ones anyway", error);
        Assert.DoesNotContain("LogEvery", error);
        Assert.DoesNotContain("Setup", second.Trainer!.Calls);
        Assert.Equal(before, Snapshot(first.RunDirectory));
    }

    [Fact]
    public async Task Options_that_only_change_logging_or_checkpoint_cadence_are_accepted_at_resume()
    {
        var first = await StoppedAtRlStep3();

        var second = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:Resume=latest", "--Rft:LogEvery=1", "--Rft:CheckpointEvery=1", "--Rft:KeepCheckpoints=1"]);

        Assert.Equal(0, second.ExitCode);
        Assert.Contains("resume: Rft:LogEvery: 2 then, 1 now", second.OutLines());
        Assert.Contains("resume: Rft:CheckpointEvery: 0 then, 1 now", second.OutLines());
        Assert.Equal(["latest", "rl-000005"], Directory.EnumerateFileSystemEntries(Path.Combine(first.RunDirectory, "checkpoints")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(1, second.OptionsJson().GetProperty("LogEvery").GetInt32());
    }

    [Fact]
    public async Task ResumeOverride_continues_with_changed_math_options_and_says_so()
    {
        var first = await StoppedAtRlStep3();

        var second = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:Resume=latest", "--Rft:LearningRate=0.001", "--Rft:ResumeOverride=true"]);

        Assert.Equal(0, second.ExitCode);
        Assert.Contains(
            "warning: resuming with a changed option that changes the run's math (Rft:ResumeOverride=true): Rft:LearningRate: 3E-05 then, 0.001 now",
            second.Error.ToString());
        Assert.Equal(0.001, second.OptionsJson().GetProperty("LearningRate").GetDouble());
        Assert.Equal("sft1 sft2 sft3 eval:sft rl1 rl2 rl3 rl4 rl5 eval:rl", Trace(second));
    }

    [Fact]
    public async Task A_damaged_newest_checkpoint_is_named_set_aside_and_the_previous_one_resumed()
    {
        var first = await TrainingRun.RunAsync(_root.Path, new TrainerScript { ThrowAtRlStep = 5 }, ["--Rft:CheckpointEvery=2"]);
        Assert.Equal(1, first.ExitCode);
        string checkpoints = Path.Combine(first.RunDirectory, "checkpoints");
        string weights = Path.Combine(checkpoints, "rl-000004", "model.safetensors");
        long length = new FileInfo(weights).Length;
        using (var file = new FileStream(weights, FileMode.Open)) file.SetLength(5);

        var second = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:CheckpointEvery=2", "--Rft:Resume=latest"]);

        Assert.Equal(0, second.ExitCode);
        string error = second.Error.ToString();
        Assert.Contains(
            $"warning: {weights} is 5 bytes but the manifest says {length} (truncated). Falling back to the previous complete checkpoint, {Path.Combine(checkpoints, "rl-000002")} (rl step 2).",
            error);
        Assert.Contains($"warning: set the damaged checkpoint aside as {Path.Combine(checkpoints, "damaged-rl-000004")}", error);
        Assert.Equal("Load:" + Path.Combine(checkpoints, "rl-000002"), second.Trainer!.Calls[1]);
        Assert.Equal("sft1 sft2 sft3 eval:sft rl1 rl2 rl3 rl4 rl5 eval:rl", Trace(second));
        Assert.True(File.Exists(Path.Combine(checkpoints, "damaged-rl-000004", "model.safetensors")));
        Assert.Equal(CheckpointReason.Periodic, CheckpointManifest.Verify(Path.Combine(checkpoints, "rl-000004"), "Fake").Reason);
    }

    [Fact]
    public async Task When_no_checkpoint_is_intact_the_resume_exits_2_listing_each_problem()
    {
        var first = await TrainingRun.RunAsync(_root.Path, new TrainerScript { ThrowAtRlStep = 3 }, ["--Rft:CheckpointEvery=2"]);
        string checkpoints = Path.Combine(first.RunDirectory, "checkpoints");
        File.Delete(Path.Combine(checkpoints, "rl-000002", "trainer_state.json"));
        string manifest = Path.Combine(checkpoints, "sft-000002", "manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"pipeline\": \"Fake\"", "\"pipeline\": \"Other\"", StringComparison.Ordinal));
        var before = Snapshot(first.RunDirectory);

        var second = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:CheckpointEvery=2", "--Rft:Resume=latest"]);

        Assert.Equal(2, second.ExitCode);
        string error = second.Error.ToString();
        Assert.Contains($"Rft:Resume: no checkpoint of {first.RunDirectory} is complete and intact, so there is nothing to resume from:", error);
        Assert.Contains($"  {Path.Combine(checkpoints, "rl-000002", "trainer_state.json")} is missing: the manifest lists it", error);
        Assert.Contains($"  {Path.Combine(checkpoints, "sft-000002")} was written by pipeline Other, not Fake", error);
        Assert.Equal(before, Snapshot(first.RunDirectory));
    }

    [Fact]
    public async Task A_completed_run_is_not_resumed()
    {
        var first = await TrainingRun.RunAsync(_root.Path, new TrainerScript());

        var second = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:Resume=latest"]);

        Assert.Equal(2, second.ExitCode);
        Assert.Contains(
            $"completed every step (its checkpoint {Path.Combine(first.RunDirectory, "checkpoint")} is at rl step 5); there is nothing to resume. " +
            $"To train further from its weights, start a new run with --Rft:PolicyPath={Path.Combine(first.RunDirectory, "checkpoint")}.",
            second.Error.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_run_killed_after_its_final_checkpoint_but_before_its_summary_is_finished_by_a_resume(bool summaryCutShort)
    {
        var first = await TrainingRun.RunAsync(_root.Path, new TrainerScript());
        string summary = Path.Combine(first.RunDirectory, "summary.json");
        var expectedSteps = Trace(first);
        if (summaryCutShort) File.WriteAllText(summary, File.ReadAllText(summary)[..40]);
        else File.Delete(summary);
        // The final evaluation's line was written after the checkpoint: a resume drops it and evaluates again.
        var second = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:Resume=latest"]);

        Assert.Equal(0, second.ExitCode);
        Assert.Equal(expectedSteps, Trace(second));   // the final evaluation once, every step once
        using var written = System.Text.Json.JsonDocument.Parse(File.ReadAllText(summary));
        Assert.True(written.RootElement.GetProperty("completed").GetBoolean());
        Assert.Equal(5, written.RootElement.GetProperty("rl_steps").GetInt32());
    }

    [Theory]
    [InlineData("latest", "Rft:Resume=latest: no run of Fake under")]
    [InlineData("nowhere", "Rft:Resume = 'nowhere' does not exist")]
    public async Task A_resume_without_a_run_to_continue_exits_2(string resume, string message)
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), [$"--Rft:Resume={resume}"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public async Task Naming_a_checkpoint_folder_instead_of_its_run_says_which_run_to_name()
    {
        var first = await StoppedAtRlStep3();

        var second = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), [$"--Rft:Resume={Path.Combine(first.RunDirectory, "checkpoint")}"]);

        Assert.Equal(2, second.ExitCode);
        Assert.Contains($"is a checkpoint folder; give its run directory, {first.RunDirectory}", second.Error.ToString());
    }

    [Fact]
    public async Task A_trainer_generated_before_resume_existed_is_refused_with_exit_2_and_the_run_left_as_it_was()
    {
        var first = await StoppedAtRlStep3();
        var before = Snapshot(first.RunDirectory);

        var second = await TrainingRun.RunAsync(_root.Path, new TrainerScript { WithoutResume = true }, ["--Rft:Resume=latest"]);

        Assert.Equal(2, second.ExitCode);
        Assert.Contains("Rft:Resume: The Fake trainer cannot resume from a checkpoint: it was generated by an Rft without resume support.", second.Error.ToString());
        Assert.Equal(before, Snapshot(first.RunDirectory));
    }

    [Fact]
    public async Task A_periodic_checkpoint_that_cannot_be_saved_is_reported_and_training_goes_on()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript { FailCheckpointAtRlStep = 2 }, ["--Rft:CheckpointEvery=2"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(
            $"warning: the checkpoint at rl step 2 could not be saved: No space left on device Training goes on; {Path.Combine(run.RunDirectory, "checkpoints", "sft-000002")} stays the newest.",
            run.Error.ToString());
        Assert.Equal(["latest", "rl-000004", "sft-000002"], Directory.EnumerateFileSystemEntries(Path.Combine(run.RunDirectory, "checkpoints")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("sft1 sft2 sft3 eval:sft rl1 rl2 rl3 rl4 rl5 eval:rl", Trace(run));
    }

    [Fact]
    public async Task A_metrics_line_cut_short_by_the_kill_is_dropped()
    {
        var first = await TrainingRun.RunAsync(_root.Path, new TrainerScript { ThrowAtRlStep = 5 }, ["--Rft:CheckpointEvery=4"]);
        File.AppendAllText(Path.Combine(first.RunDirectory, "metrics.jsonl"), "{\"phase\":\"rl\",\"st");

        var second = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:CheckpointEvery=4", "--Rft:Resume=latest"]);

        Assert.Equal(0, second.ExitCode);
        Assert.Equal("sft1 sft2 sft3 eval:sft rl1 rl2 rl3 rl4 rl5 eval:rl", Trace(second));
    }

    private async Task<TrainingRun> StoppedAtRlStep3()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript { DuringRlStep = (step, trainer) => { if (step == 3) trainer.Lifetime.StopApplication(); } });
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(CheckpointReason.Interrupted, CheckpointManifest.Verify(Path.Combine(run.RunDirectory, "checkpoint"), "Fake").Reason);
        return run;
    }

    /// <summary>metrics.jsonl as "sft1 sft2 eval:sft rl1 ...".</summary>
    private static string Trace(TrainingRun run) => string.Join(' ', run.Metrics().Select(line =>
        line.GetProperty("phase").GetString() is "eval" ? "eval:" + line.GetProperty("name").GetString() : line.GetProperty("phase").GetString() + line.GetProperty("step").GetInt32()));

    /// <summary>Every file under <paramref name="directory"/> with the hash of its bytes.</summary>
    private static Dictionary<string, string> Snapshot(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(directory, path), path => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))));
}
