using System.Text.Json;

namespace Rft.Hosting.Tests;

/// <summary>samples.jsonl: the trainer's evaluation samples, written by the host after each evaluation.</summary>
public sealed class EvaluationSamplesTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Each_evaluation_appends_its_samples_with_phase_step_completion_and_rewards()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript());

        Assert.Equal(0, run.ExitCode);
        var lines = File.ReadAllLines(Path.Combine(run.RunDirectory, "samples.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToArray();

        // The warm-up's validation at step 2, the "sft" evaluation after 3 warm-up steps, the "rl" one after 5 RL steps.
        Assert.Equal(
            ["sft 2 ", "sft 2 ", "eval 3 sft", "eval 3 sft", "eval 5 rl", "eval 5 rl"],
            lines.Select(l => $"{l.GetProperty("phase").GetString()} {l.GetProperty("step").GetInt32()} {(l.TryGetProperty("name", out var n) ? n.GetString() : "")}"));
        var first = lines[4];
        Assert.Equal("<b>rl</b> 1+1=", first.GetProperty("prompt").GetString());
        Assert.Equal("2 & done", first.GetProperty("completion").GetString());
        Assert.True(first.GetProperty("correct").GetBoolean());
        Assert.Equal(1.1, first.GetProperty("reward").GetDouble());
        Assert.Equal(1, first.GetProperty("rewards").GetProperty("Correct").GetDouble());

        // A reward that failed has no value: null, not NaN (which JSON cannot hold).
        var failed = lines[5];
        Assert.False(failed.GetProperty("correct").GetBoolean());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("reward").ValueKind);
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("rewards").GetProperty("Stopped").ValueKind);
        Assert.Equal(0, failed.GetProperty("rewards").GetProperty("Correct").GetDouble());
    }
}
