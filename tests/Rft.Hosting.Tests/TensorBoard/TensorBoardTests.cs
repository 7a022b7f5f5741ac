using System.IO.Hashing;
using System.Text;
using Rft.Hosting.TensorBoard;
using Rft.Training;

namespace Rft.Hosting.Tests.TensorBoard;

/// <summary><c>Rft:TensorBoard=true</c>: event files TensorBoard can read, checked by an independent reader.</summary>
public sealed class TensorBoardTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void The_readers_crc32c_is_castagnolis_and_the_writers_agrees_with_it()
    {
        // The standard check value of CRC-32C for "123456789".
        Assert.Equal(0xE3069283u, Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, "123456789"u8));
        var random = new Random(5);
        for (int length = 0; length < 40; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(EventFileReader.MaskedCrc(data), TfRecord.MaskedCrc32C(data));
        }
    }

    [Fact]
    public async Task A_run_with_TensorBoard_writes_every_step_and_evaluation_as_scalars_in_valid_records()
    {
        var start = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript { WithKl = true }, ["--Rft:TensorBoard=true"], new FixedTimeProvider(start));

        Assert.Equal(0, run.ExitCode);
        string file = Assert.Single(Directory.GetFiles(run.RunDirectory, "events.out.tfevents.*"));
        var events = EventFileReader.Read(file);

        // The first record declares the format; every wall time is seconds since the Unix epoch.
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.All(events, e => Assert.Equal(start.ToUnixTimeSeconds(), e.WallTime));

        // 3 warm-up steps, the "sft" evaluation, 5 RL steps, the "rl" evaluation.
        var scalars = events.Skip(1).ToArray();
        Assert.Equal(10, scalars.Length);
        Assert.Equal([1, 2, 3, 3, 1, 2, 3, 4, 5, 5], scalars.Select(e => e.Step));

        var sft2 = Values(scalars[1]);
        Assert.Equal(0.5f, sft2["sft/loss"]);
        Assert.Equal(1e-3f, sft2["sft/lr"]);
        Assert.Equal(0.125f, sft2["sft/val_accuracy"]);
        Assert.False(Values(scalars[0]).ContainsKey("sft/val_accuracy")); // not measured at step 1: left out, not NaN

        Assert.Equal(new Dictionary<string, float> { ["eval/sft/accuracy"] = 0.246f }, Values(scalars[3]));

        var rl1 = Values(scalars[4]);
        var expected = new Dictionary<string, float>
        {
            ["rl/loss"] = -0.0123f, ["rl/lr"] = 3e-5f, ["rl/grad_norm"] = 0.5f, ["rl/reward/Correct"] = 0.41f, ["rl/reward/Stopped"] = 0.98f,
            ["rl/accuracy"] = 0.41f, ["rl/kl"] = 0.0012f, ["rl/entropy"] = 0.87f, ["rl/clip_fraction"] = 0.02f, ["rl/completion_length"] = 4.1f,
            ["rl/zero_variance_groups"] = 0.25f, ["rl/masked_samples"] = 3f, ["rl/seconds"] = 0.001f,
            // The rest of a metrics.jsonl step line (StepScalars): the update's clip sides, KL and steps, and the timings.
            ["rl/clip_fraction_high"] = 0.015f, ["rl/clip_fraction_low"] = 0.005f, ["rl/approx_kl"] = 0.001f, ["rl/optimizer_steps"] = 4f,
            ["rl/timing/rollout_s"] = 0.1f, ["rl/timing/score_s"] = 0.01f, ["rl/timing/old_logprob_s"] = 0.02f, ["rl/timing/reference_s"] = 0.03f,
            ["rl/timing/update_s"] = 0.2f, ["rl/rollout/tokens"] = 256f, ["rl/rollout/tokens_per_s"] = 2560f, ["rl/update/tokens_per_s"] = 2560f,
        };
        Assert.Equal(expected, rl1);
        Assert.Equal(0f, Values(scalars[5])["rl/masked_samples"]);
        Assert.Equal(new Dictionary<string, float> { ["eval/rl/accuracy"] = 0.5f }, Values(scalars[9]));
    }

    [Fact]
    public async Task Without_the_option_no_event_file_is_written()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript());

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(Directory.GetFiles(run.RunDirectory, "*tfevents*"));
    }

    [Fact]
    public void The_reader_rejects_a_record_whose_data_was_altered()
    {
        string directory = Path.Combine(_root.Path, "run");
        Directory.CreateDirectory(directory);
        string path;
        using (var writer = new TensorBoardWriter(directory, TimeProvider.System))
        {
            var report = new StepReport(TrainingPhase.Rl, ["Correct"]) { Step = 1, Loss = 0.25 };
            report.RewardMeans[0] = 0.75;
            writer.WriteStep(report);
            path = writer.Path;
        }

        Assert.Equal(2, EventFileReader.Read(path).Count);
        byte[] bytes = File.ReadAllBytes(path);
        int tag = IndexOf(bytes, Encoding.UTF8.GetBytes("rl/loss"));
        bytes[tag + 3] ^= 0x20; // "rl/Loss"
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => EventFileReader.Read(path));
        Assert.Contains("record 1: data: masked CRC-32C", error.Message);
    }

    private static Dictionary<string, float> Values(EventFileReader.Event e) => e.Scalars.ToDictionary(s => s.Tag, s => s.Value);

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
