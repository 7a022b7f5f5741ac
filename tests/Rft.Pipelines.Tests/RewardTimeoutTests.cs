using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rft.Hosting;
using Rft.Pipelines.Tests.Pipelines.Update;

namespace Rft.Pipelines.Tests;

/// <summary>
/// Rewards that hang (synchronous and asynchronous, cooperative or not) cannot stall training: each call past its timeout
/// masks its sample, is counted in metrics.jsonl, and the step goes on; too many timeouts stop the run with a clear error.
/// </summary>
public class RewardTimeoutTests
{
    [Fact]
    public async Task Hanging_rewards_are_masked_and_counted_and_the_run_goes_on()
    {
        var root = Directory.CreateTempSubdirectory("rft-hang-");
        try
        {
            var (exit, _, error) = await Run(root.FullName, "--Rft:MaxTimedOutShare=1");
            Assert.True(exit == 0, error);
            var steps = Steps(root.FullName);
            Assert.Equal(3, steps.Count);
            int timedOut = steps.Sum(s => s.TryGetProperty("reward_timeouts", out var t) ? t.GetInt32() : 0);
            int masked = steps.Sum(s => s.GetProperty("masked_samples").GetInt32());
            // Rows whose digit is 3, 7 or 8: each has one reward time out, so each is masked.
            Assert.True(timedOut > 0, "no reward timed out: the test would prove nothing");
            Assert.True(masked >= timedOut / 2 && masked <= timedOut, $"{masked} masked samples for {timedOut} timed-out calls");
            Assert.All(steps, s => Assert.True(s.GetProperty("loss").GetDouble() is var loss && double.IsFinite(loss)));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Too_many_timeouts_in_a_step_stop_the_run_with_a_clear_error_after_saving()
    {
        var root = Directory.CreateTempSubdirectory("rft-hang-");
        try
        {
            var (exit, _, error) = await Run(root.FullName, "--Rft:MaxTimedOutShare=0.01");
            Assert.Equal(1, exit);
            Assert.Contains("ran past their timeout (more than Rft:MaxTimedOutShare = 0.01)", error);
            var run = Directory.GetDirectories(root.FullName).Single();
            Assert.True(Directory.Exists(Path.Combine(run, "checkpoint-failed")), "the work done was not saved");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static async Task<(int Exit, string Out, string Error)> Run(string root, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await RftHost.RunAsync([$"--Rft:RunDirectory={root}", .. args], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.AddHangingEcho();
            builder.Services.AddSingleton(new RftConsole(output, error));
        });
        return (exit, output.ToString(), error.ToString());
    }

    private static List<JsonElement> Steps(string root)
    {
        var metrics = Path.Combine(Directory.GetDirectories(root).Single(), "metrics.jsonl");
        return File.ReadAllLines(metrics).Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("phase").GetString() == "rl").ToList();
    }
}
