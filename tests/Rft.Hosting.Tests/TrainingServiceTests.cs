using System.Text.Json;
using Rft.Training;

namespace Rft.Hosting.Tests;

public sealed class TrainingServiceTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_full_run_trains_every_phase_in_order_and_exits_0()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript());

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            ["Setup", "WarmUp", "Evaluate:sft", "Train", "Evaluate:rl", "Checkpoint", "Dispose"],
            run.Trainer!.Calls);
        Assert.Equal("", run.Error.ToString());
        Assert.Equal(CheckpointReason.Completed, CheckpointManifest.Verify(Path.Combine(run.RunDirectory, "checkpoint"), "Fake").Reason);
    }

    [Fact]
    public async Task The_trainer_learns_its_run_directory_before_setup_for_what_it_logs_there()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript());

        Assert.Equal(0, run.ExitCode);
        Assert.Equal((run.RunDirectory, true), run.Trainer!.RunDirectory);
    }

    [Fact]
    public async Task The_run_directory_is_named_after_pipeline_time_and_seed_and_never_reused()
    {
        var time = new FixedTimeProvider(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));

        var first = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:Seed=42"], time);
        var second = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:Seed=42"], time);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(
            [Path.Combine(_root.Path, "Fake-20250102-030405-seed42"), Path.Combine(_root.Path, "Fake-20250102-030405-seed42-2")],
            Directory.GetDirectories(_root.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Options_json_holds_every_option_the_run_used()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:GroupSize=4"]);

        var options = run.OptionsJson();
        Assert.Equal(4, options.GetProperty("GroupSize").GetInt32());
        Assert.Equal(5, options.GetProperty("Steps").GetInt32());
        Assert.Equal(3e-5, options.GetProperty("LearningRate").GetDouble());
        Assert.Equal(_root.Path, options.GetProperty("RunDirectory").GetString());
    }

    [Fact]
    public async Task Summary_json_reports_steps_evaluations_and_the_last_step()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript());

        var summary = run.Summary();
        Assert.Equal("Fake", summary.GetProperty("pipeline").GetString());
        Assert.Equal(7, summary.GetProperty("seed").GetInt32());
        Assert.Equal(run.RunDirectory, summary.GetProperty("run_directory").GetString());
        Assert.True(summary.GetProperty("completed").GetBoolean());
        Assert.False(summary.GetProperty("interrupted").GetBoolean());
        Assert.Equal(3, summary.GetProperty("sft_steps").GetInt32());
        Assert.Equal(5, summary.GetProperty("rl_steps").GetInt32());
        Assert.Equal(0.246, summary.GetProperty("sft_accuracy").GetDouble(), 1e-12);
        Assert.Equal(123, summary.GetProperty("sft_correct").GetInt32());
        Assert.Equal(500, summary.GetProperty("sft_problems").GetInt32());
        Assert.Equal(0.5, summary.GetProperty("rl_accuracy").GetDouble(), 1e-12);
        Assert.Equal(250, summary.GetProperty("rl_correct").GetInt32());
        Assert.True(summary.GetProperty("wall_seconds").GetDouble() >= 0);
        Assert.Equal(Path.Combine(run.RunDirectory, "checkpoint"), summary.GetProperty("checkpoint").GetString());
        var last = summary.GetProperty("final_step_metrics");
        Assert.Equal("rl", last.GetProperty("phase").GetString());
        Assert.Equal(5, last.GetProperty("step").GetInt32());
        Assert.Equal(0.41, last.GetProperty("reward/Correct").GetDouble());
    }

    [Fact]
    public async Task Metrics_jsonl_has_one_line_per_step_and_per_evaluation()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript());

        var lines = run.Metrics();
        Assert.Equal(3 + 1 + 5 + 1, lines.Length);
        Assert.Equal(
            ["sft", "sft", "sft", "eval", "rl", "rl", "rl", "rl", "rl", "eval"],
            lines.Select(line => line.GetProperty("phase").GetString()));
        Assert.Equal([1, 2, 3], lines.Take(3).Select(line => line.GetProperty("step").GetInt32()));
        Assert.Equal([1, 2, 3, 4, 5], lines.Skip(4).Take(5).Select(line => line.GetProperty("step").GetInt32()));

        var rl = lines[4];
        foreach (var field in new[]
        {
            "step", "total_steps", "loss", "lr", "grad_norm", "reward/Correct", "reward/Stopped", "accuracy", "entropy",
            "clip_fraction", "completion_length", "zero_variance_groups", "masked_samples", "seconds",
        })
        {
            Assert.True(rl.TryGetProperty(field, out _), $"rl line lacks {field}: {rl}");
        }

        Assert.Equal(-0.0123, rl.GetProperty("loss").GetDouble());
        Assert.Equal(3, rl.GetProperty("masked_samples").GetInt32());

        // Quantities that were not measured are left out, never written as NaN.
        Assert.False(rl.TryGetProperty("kl", out _));
        Assert.False(rl.TryGetProperty("val_accuracy", out _));
        Assert.False(lines[0].TryGetProperty("val_accuracy", out _));
        Assert.Equal(0.125, lines[1].GetProperty("val_accuracy").GetDouble());

        var evaluation = lines[3];
        Assert.Equal("sft", evaluation.GetProperty("name").GetString());
        Assert.Equal(0.246, evaluation.GetProperty("accuracy").GetDouble(), 1e-12);
        Assert.Equal(123, evaluation.GetProperty("correct").GetInt32());
        Assert.Equal(500, evaluation.GetProperty("problems").GetInt32());
    }

    [Fact]
    public async Task Every_RL_step_has_its_phase_timings_and_throughputs_and_the_summary_their_medians()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript());

        var rl = run.Metrics().Where(line => line.GetProperty("phase").GetString() == "rl").ToArray();
        Assert.Equal([0.1, 0.2, 0.3, 0.4, 0.5], rl.Select(line => Math.Round(line.GetProperty("timing/rollout_s").GetDouble(), 12)));
        Assert.Equal(0.01, rl[0].GetProperty("timing/score_s").GetDouble());
        Assert.Equal(0.02, rl[0].GetProperty("timing/old_logprob_s").GetDouble());
        Assert.Equal(0.2, rl[0].GetProperty("timing/update_s").GetDouble());
        Assert.Equal(256, rl[0].GetProperty("rollout/tokens").GetDouble());
        Assert.Equal(2560, rl[0].GetProperty("rollout/tokens_per_s").GetDouble(), 1e-9);
        Assert.Equal(2560, rl[0].GetProperty("update/tokens_per_s").GetDouble(), 1e-9);
        Assert.False(rl[0].TryGetProperty("timing/reference_s", out _));   // no reference policy: not measured, left out
        Assert.False(run.Metrics()[0].TryGetProperty("timing/rollout_s", out _));   // the warm-up has no rollout

        var medians = run.Summary().GetProperty("rl_medians");
        Assert.Equal(0.3, medians.GetProperty("timing/rollout_s").GetDouble(), 1e-12);
        Assert.Equal(256 / 0.3, medians.GetProperty("rollout/tokens_per_s").GetDouble(), 1e-9);
        Assert.Equal(0.2, medians.GetProperty("timing/update_s").GetDouble(), 1e-12);
        Assert.Equal(0.001, medians.GetProperty("seconds").GetDouble(), 1e-12);
        Assert.False(medians.TryGetProperty("timing/reference_s", out _));
    }

    [Fact]
    public async Task A_run_without_warm_up_goes_straight_to_RL()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript { HasWarmUp = false });

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Setup", "Train", "Evaluate:rl"], run.Trainer!.Calls.Take(3));
        var summary = run.Summary();
        Assert.Equal(0, summary.GetProperty("sft_steps").GetInt32());
        Assert.False(summary.TryGetProperty("sft_accuracy", out _));
        Assert.Equal(0.5, summary.GetProperty("rl_accuracy").GetDouble(), 1e-12);
    }

    [Theory]
    [InlineData(StopBy.ApplicationLifetime)]
    [InlineData(StopBy.HostToken)]
    public async Task A_stop_request_mid_RL_finishes_the_step_saves_a_checkpoint_and_exits_0(StopBy stopBy)
    {
        using var stop = new CancellationTokenSource();
        var script = new TrainerScript
        {
            DuringRlStep = (step, trainer) =>
            {
                if (step == 3)
                {
                    if (stopBy == StopBy.ApplicationLifetime)
                    {
                        trainer.Lifetime.StopApplication(); // what Ctrl+C and SIGTERM do
                    }
                    else
                    {
                        stop.Cancel();
                    }
                }
            },
        };

        var run = await TrainingRun.RunAsync(_root.Path, script, cancellationToken: stop.Token);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(3, run.Trainer!.RlStepsCompleted);
        Assert.Equal(
            ["Setup", "WarmUp", "Evaluate:sft", "Train", "Checkpoint", "Dispose"],
            run.Trainer.Calls);
        var manifest = CheckpointManifest.Verify(Path.Combine(run.RunDirectory, "checkpoint"), "Fake");
        Assert.Equal(CheckpointReason.Interrupted, manifest.Reason);
        Assert.Equal(new CheckpointPosition(TrainingPhase.Rl, 3), manifest.Position);

        var summary = run.Summary();
        Assert.False(summary.GetProperty("completed").GetBoolean());
        Assert.True(summary.GetProperty("interrupted").GetBoolean());
        Assert.Equal(3, summary.GetProperty("rl_steps").GetInt32());
        Assert.True(summary.TryGetProperty("sft_accuracy", out _));
        Assert.False(summary.TryGetProperty("rl_accuracy", out _));
        Assert.Equal(3, summary.GetProperty("final_step_metrics").GetProperty("step").GetInt32());

        var rlSteps = run.Metrics().Where(line => line.GetProperty("phase").GetString() == "rl").ToArray();
        Assert.Equal([1, 2, 3], rlSteps.Select(line => line.GetProperty("step").GetInt32()));
        Assert.Contains(run.OutLines(), line => line.StartsWith("rl   step 3/5", StringComparison.Ordinal));
        Assert.Contains(run.OutLines(), line => line.StartsWith("stopping", StringComparison.Ordinal));
        Assert.Equal("", run.Error.ToString());
    }

    [Fact]
    public async Task A_failure_mid_RL_exits_1_with_the_message_and_keeps_the_work_done()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript { ThrowAtRlStep = 3 });

        Assert.Equal(1, run.ExitCode);
        var error = run.Error.ToString();
        Assert.Contains("Training failed during rl after step 2: reward server unreachable at step 3", error);
        Assert.Contains("System.InvalidOperationException", error);
        Assert.Contains("at Rft.Hosting.Tests.FakeTrainer", error);

        var failedCheckpoint = Path.Combine(run.RunDirectory, "checkpoint-failed");
        Assert.Equal(
            ["Setup", "WarmUp", "Evaluate:sft", "Train", "Checkpoint", "Dispose"],
            run.Trainer!.Calls);
        Assert.Equal(CheckpointReason.Failed, CheckpointManifest.Verify(failedCheckpoint, "Fake").Reason);
        Assert.Contains(failedCheckpoint, error);

        var summary = run.Summary();
        Assert.False(summary.GetProperty("completed").GetBoolean());
        Assert.False(summary.GetProperty("interrupted").GetBoolean());
        Assert.Equal(2, summary.GetProperty("rl_steps").GetInt32());
        Assert.Equal(0.246, summary.GetProperty("sft_accuracy").GetDouble(), 1e-12);
        Assert.Equal(failedCheckpoint, summary.GetProperty("checkpoint").GetString());
        Assert.Equal("rl after step 2", summary.GetProperty("failed_during").GetString());
        Assert.Equal("reward server unreachable at step 3", summary.GetProperty("error").GetString());
        Assert.Equal(2 + 3 + 1, run.Metrics().Length);
    }

    [Fact]
    public async Task A_failure_in_setup_exits_1_without_a_checkpoint()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript { ThrowInSetup = true });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Training failed during setup: policy weights not found: models/missing/model.safetensors", run.Error.ToString());
        Assert.Equal(["Setup", "Dispose"], run.Trainer!.Calls);
        var summary = run.Summary();
        Assert.False(summary.GetProperty("completed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("checkpoint").ValueKind);
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("final_step_metrics").ValueKind);
    }

    [Fact]
    public async Task A_device_the_machine_lacks_stops_at_setup_with_exit_2_as_an_invalid_option()
    {
        // What DeviceSettings.Resolve throws for Rft:Device = cuda on a libtorch without CUDA.
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript { SetupException = new InvalidOptionException("Rft:Device = 'cuda', but the libtorch this program loaded has no CUDA support") });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Invalid option:", run.Error.ToString());
        Assert.Contains("Rft:Device = 'cuda', but the libtorch this program loaded has no CUDA support", run.Error.ToString());
        Assert.Equal(["Setup", "Dispose"], run.Trainer!.Calls);
    }
}
