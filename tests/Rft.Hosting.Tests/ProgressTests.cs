namespace Rft.Hosting.Tests;

public sealed class ProgressTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Progress_lines_come_every_LogEvery_steps_and_at_the_end_of_each_phase()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:LogEvery=2"]);

        var steps = run.OutLines().Where(line => line.Contains(" step ", StringComparison.Ordinal)).Select(line => line[..13]);

        // sft step 2 is also due because a validation accuracy was measured there.
        Assert.Equal(["sft  step 2/3", "sft  step 3/3", "rl   step 2/5", "rl   step 4/5", "rl   step 5/5"], steps);
    }

    [Fact]
    public async Task An_RL_line_shows_the_measured_quantities_and_leaves_out_the_rest()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:LogEvery=1"]);

        var line = run.OutLines().Single(l => l.StartsWith("rl   step 2/5", StringComparison.Ordinal));
        Assert.StartsWith(
            "rl   step 2/5  loss -0.0123  Correct 0.41  Stopped 0.98  acc 0.41  ent 0.87  clip 0.02  len 4.1  zero-var 0.25  lr 3.0e-05  ",
            line);
        Assert.EndsWith(" step/s", line);
        Assert.DoesNotContain(" kl ", line);
        Assert.Contains("  masked 3  ", run.OutLines().Single(l => l.StartsWith("rl   step 1/5", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_RL_line_says_where_the_step_s_time_went_and_the_token_throughputs()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript { WithKl = true }, ["--Rft:LogEvery=1"]);

        var line = run.OutLines().Single(l => l.StartsWith("rl   step 2/5", StringComparison.Ordinal));
        Assert.Contains("  roll 0.200s 1280 tok/s  score 0.010s  old 0.020s  ref 0.030s  upd 0.200s 2560 tok/s  ", line);
        Assert.DoesNotContain(" roll ", run.OutLines().First(l => l.StartsWith("sft ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_KL_term_shows_in_the_RL_line()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript { WithKl = true }, ["--Rft:LogEvery=1"]);

        Assert.Contains("  acc 0.41  kl 0.0012  ent 0.87", run.OutLines().First(l => l.StartsWith("rl ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SFT_lines_and_evaluations_read_as_documented()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:LogEvery=1"]);

        var lines = run.OutLines();
        Assert.StartsWith("sft  step 2/3  loss 0.5000  lr 1.0e-03  val-acc 0.12  ", lines.Single(l => l.StartsWith("sft  step 2/3", StringComparison.Ordinal)));
        Assert.DoesNotContain("val-acc", lines.Single(l => l.StartsWith("sft  step 1/3", StringComparison.Ordinal)));
        Assert.Contains("eval sft: 123/500 = 0.246 (0.3 s)", lines);
        Assert.Contains("eval rl: 250/500 = 0.500 (0.3 s)", lines);
    }
}
