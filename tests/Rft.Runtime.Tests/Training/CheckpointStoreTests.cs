using System.Security.Cryptography;
using System.Text.Json;
using Rft.Training;

namespace Rft.Runtime.Tests.Training;

public sealed class CheckpointStoreTests(TinyRunStates states) : IDisposable, IClassFixture<TinyRunStates>
{
    private const string Pipeline = "Tiny";

    private readonly string _run = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "rft-checkpoint-store-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_run, recursive: true);

    /// <summary>Every file a LoRA run's checkpoint holds.</summary>
    public static readonly string[] CheckpointFiles =
    [
        "adapter/adapter_config.json", "adapter/adapter_model.safetensors", "config.json", "curriculum.msgpack",
        "model.safetensors", "optimizer.dat", "rft_tokenizer.json", "trainer_state.json",
    ];

    public enum Corruption
    {
        Truncated,
        FlippedByte,
        Missing,
        FromAnotherPipeline,
    }

    public static TheoryData<string, Corruption> EveryFileAndCorruption()
    {
        var data = new TheoryData<string, Corruption>();
        foreach (string file in CheckpointFiles)
        {
            foreach (var corruption in Enum.GetValues<Corruption>()) data.Add(file, corruption);
        }

        return data;
    }

    [Fact]
    public void A_periodic_checkpoint_is_renamed_into_place_with_a_manifest_of_every_file_and_becomes_latest()
    {
        var state = states.Main;
        var store = new CheckpointStore(_run, Pipeline);

        string folder = store.WritePeriodic(new CheckpointPosition(TrainingPhase.Rl, 40), sftSteps: 12, keep: 3, dir => state.Save(dir, Pipeline, 40));

        Assert.Equal(Path.Combine(_run, "checkpoints", "rl-000040"), folder);
        Assert.Equal(["latest", "rl-000040"], Directory.EnumerateFileSystemEntries(store.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("checkpoints/rl-000040\n", File.ReadAllText(Path.Combine(store.Folder, "latest")));
        Assert.Equal(folder, store.Latest());

        var manifest = CheckpointManifest.Read(folder);
        Assert.Equal(Pipeline, manifest.Pipeline);
        Assert.Equal(new CheckpointPosition(TrainingPhase.Rl, 40), manifest.Position);
        Assert.Equal(12, manifest.SftSteps);
        Assert.Equal(CheckpointReason.Periodic, manifest.Reason);
        Assert.Equal(CheckpointFiles, manifest.Files.Select(f => f.Path));
        foreach (var entry in manifest.Files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, entry.Path));
            Assert.Equal(bytes.Length, entry.Bytes);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), entry.Sha256);
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "manifest.json")));
        Assert.Equal("rft-checkpoint", document.RootElement.GetProperty("format").GetString());
        Assert.Equal(1, document.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("rl", document.RootElement.GetProperty("phase").GetString());
        Assert.Equal("periodic", document.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public void Only_the_newest_KeepCheckpoints_periodic_checkpoints_are_kept()
    {
        var state = states.Main;
        var store = new CheckpointStore(_run, Pipeline);

        foreach (var (phase, step) in new[] { (TrainingPhase.Sft, 10), (TrainingPhase.Sft, 20), (TrainingPhase.Rl, 5), (TrainingPhase.Rl, 10) })
            store.WritePeriodic(new CheckpointPosition(phase, step), sftSteps: phase == TrainingPhase.Sft ? step : 20, keep: 2, dir => state.Save(dir, Pipeline, step));

        Assert.Equal(["latest", "rl-000005", "rl-000010"], Directory.EnumerateFileSystemEntries(store.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_checkpoint_cut_short_is_never_chosen_the_previous_stays_latest_and_the_leftover_is_removed()
    {
        var state = states.Main;
        var store = new CheckpointStore(_run, Pipeline);
        string first = WriteRl(store, 10);

        // The process dies after the weights are written and before the rest.
        Assert.Throws<IOException>(() => store.WritePeriodic(new CheckpointPosition(TrainingPhase.Rl, 20), 0, 3, dir =>
        {
            state.Save(dir, Pipeline, 20);
            File.Delete(Path.Combine(dir, "optimizer.dat"));
            throw new IOException("killed");
        }));

        Assert.True(Directory.Exists(Path.Combine(store.Folder, ".tmp-rl-000020")));
        Assert.Equal(first, store.Latest());
        var chosen = store.SelectNewestValid(out var rejected);
        Assert.Equal(first, chosen!.Directory);
        Assert.Empty(rejected);
        Assert.False(Directory.Exists(Path.Combine(store.Folder, ".tmp-rl-000020")));
    }

    [Fact]
    public void The_end_of_run_checkpoint_replaces_an_earlier_processes_and_competes_by_position()
    {
        var state = states.Main;
        var store = new CheckpointStore(_run, Pipeline);
        string final = store.WriteFinal(new CheckpointPosition(TrainingPhase.Rl, 15), 0, CheckpointReason.Interrupted, dir => state.Save(dir, Pipeline, 15));
        Assert.Equal(Path.Combine(_run, "checkpoint"), final);
        Assert.Equal("checkpoint\n", File.ReadAllText(Path.Combine(store.Folder, "latest")));

        // A resumed process writes newer periodic checkpoints, then its own end-of-run checkpoint over the first.
        WriteRl(store, 20);
        Assert.Equal(Path.Combine(store.Folder, "rl-000020"), store.SelectNewestValid(out _)!.Directory);

        store.WriteFinal(new CheckpointPosition(TrainingPhase.Rl, 25), 0, CheckpointReason.Completed, dir => state.Save(dir, Pipeline, 25));
        var chosen = store.SelectNewestValid(out var rejected);
        Assert.Equal(final, chosen!.Directory);
        Assert.Equal(CheckpointReason.Completed, chosen.Manifest!.Reason);
        Assert.Equal(25, chosen.Manifest.Position.Step);
        Assert.Empty(rejected);
        Assert.Empty(Directory.EnumerateDirectories(store.Folder, ".*"));
    }

    [Fact]
    public void A_failed_runs_checkpoint_is_written_beside_the_others_but_never_chosen()
    {
        var state = states.Main;
        var store = new CheckpointStore(_run, Pipeline);
        string periodic = WriteRl(store, 10);

        string failed = store.WriteFinal(new CheckpointPosition(TrainingPhase.Rl, 12), 0, CheckpointReason.Failed, dir => state.Save(dir, Pipeline, 12));

        Assert.Equal(Path.Combine(_run, "checkpoint-failed"), failed);
        Assert.Equal(CheckpointReason.Failed, CheckpointManifest.Verify(failed, Pipeline).Reason);
        Assert.Equal(periodic, store.Latest());
        Assert.Equal(periodic, store.SelectNewestValid(out _)!.Directory);
    }

    [Theory]
    [MemberData(nameof(EveryFileAndCorruption))]
    public void A_damaged_file_is_named_and_the_previous_checkpoint_is_chosen(string file, Corruption corruption)
    {
        var store = new CheckpointStore(_run, Pipeline);
        string older = WriteRl(store, 10);
        string newer = WriteRl(store, 20);
        string path = Path.Combine(newer, file);

        var expected = Corrupt(path, file, corruption);

        var chosen = store.SelectNewestValid(out var rejected);
        Assert.Equal(older, chosen!.Directory);
        Assert.Equal(new CheckpointPosition(TrainingPhase.Rl, 10), chosen.Manifest!.Position);
        var problem = Assert.Single(rejected).Problem!;
        Assert.Equal(newer, problem.Directory);
        Assert.Equal(path, problem.File);
        Assert.Equal(expected, problem.Problem);
        Assert.StartsWith(path, problem.Message, StringComparison.Ordinal);
        Assert.Contains(problem.Problem switch
        {
            CheckpointProblem.MissingFile => "is missing: the manifest lists it",
            CheckpointProblem.SizeMismatch => "but the manifest says",
            _ => "the file was altered or damaged",
        }, problem.Message, StringComparison.Ordinal);
        if (corruption == Corruption.Truncated) Assert.EndsWith("(truncated).", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing", CheckpointProblem.MissingManifest, "is missing: the checkpoint was never completed")]
    [InlineData("garbage", CheckpointProblem.MalformedManifest, "is not valid JSON")]
    [InlineData("truncated", CheckpointProblem.MalformedManifest, "is not valid JSON")]
    [InlineData("another pipeline", CheckpointProblem.OtherPipeline, "was written by pipeline Other, not Tiny")]
    [InlineData("another version", CheckpointProblem.UnsupportedVersion, "has format version 7; this Rft reads version 1")]
    [InlineData("a file outside", CheckpointProblem.MalformedManifest, "not a relative path inside the checkpoint folder")]
    public void A_damaged_manifest_is_named_and_the_previous_checkpoint_is_chosen(string damage, CheckpointProblem expected, string message)
    {
        var store = new CheckpointStore(_run, Pipeline);
        string older = WriteRl(store, 10);
        string newer = WriteRl(store, 20);
        string manifest = Path.Combine(newer, "manifest.json");
        string text = File.ReadAllText(manifest);
        switch (damage)
        {
            case "missing": File.Delete(manifest); break;
            case "garbage": File.WriteAllBytes(manifest, RandomNumberGenerator.GetBytes(300)); break;
            case "truncated": File.WriteAllText(manifest, text[..(text.Length / 2)]); break;
            case "another pipeline": File.WriteAllText(manifest, text.Replace("\"pipeline\": \"Tiny\"", "\"pipeline\": \"Other\"", StringComparison.Ordinal)); break;
            case "another version": File.WriteAllText(manifest, text.Replace("\"version\": 1", "\"version\": 7", StringComparison.Ordinal)); break;
            case "a file outside": File.WriteAllText(manifest, text.Replace("\"path\": \"config.json\"", "\"path\": \"../../secret\"", StringComparison.Ordinal)); break;
        }

        var chosen = store.SelectNewestValid(out var rejected);

        Assert.Equal(older, chosen!.Directory);
        var problem = Assert.Single(rejected).Problem!;
        Assert.Equal(expected, problem.Problem);
        Assert.Equal(manifest, problem.File);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void When_no_checkpoint_verifies_none_is_chosen_and_each_problem_is_listed_newest_first()
    {
        var state = states.Main;
        var store = new CheckpointStore(_run, Pipeline);
        string older = store.WritePeriodic(new CheckpointPosition(TrainingPhase.Sft, 30), 30, 3, dir => state.Save(dir, Pipeline, 0));
        string newer = store.WritePeriodic(new CheckpointPosition(TrainingPhase.Rl, 20), 30, 3, dir => state.Save(dir, Pipeline, 20));
        File.Delete(Path.Combine(older, "optimizer.dat"));
        File.AppendAllText(Path.Combine(newer, "trainer_state.json"), " ");

        Assert.Null(store.SelectNewestValid(out var rejected));

        Assert.Equal([newer, older], rejected.Select(r => r.Directory));
        Assert.Equal([CheckpointProblem.SizeMismatch, CheckpointProblem.MissingFile], rejected.Select(r => r.Problem!.Problem));
    }

    [Fact]
    public void A_damaged_checkpoint_set_aside_is_kept_but_never_read_or_pruned_again()
    {
        var store = new CheckpointStore(_run, Pipeline);
        string older = WriteRl(store, 10, keep: 1);
        string newer = WriteRl(store, 20, keep: 2);
        File.Delete(Path.Combine(newer, "model.safetensors"));
        store.SelectNewestValid(out var rejected);

        string aside = store.SetAside(Assert.Single(rejected));

        Assert.Equal(Path.Combine(store.Folder, "damaged-rl-000020"), aside);
        Assert.True(File.Exists(Path.Combine(aside, "optimizer.dat")));
        WriteRl(store, 20, keep: 1);
        Assert.Equal(["damaged-rl-000020", "rl-000020"], Directory.EnumerateDirectories(store.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(older));
    }

    [Fact]
    public void Loading_a_policy_from_a_checkpoint_with_a_manifest_verifies_it_first()
    {
        var state = states.Main;
        var store = new CheckpointStore(_run, Pipeline);
        string folder = store.WriteFinal(new CheckpointPosition(TrainingPhase.Rl, 3), 0, CheckpointReason.Completed, dir => state.Save(dir, Pipeline, 3));
        using (Checkpoint.Load(folder)) { }

        FlipByte(Path.Combine(folder, "model.safetensors"));

        var error = Assert.Throws<InvalidCheckpointException>(() => Checkpoint.Load(folder));
        Assert.Equal(CheckpointProblem.HashMismatch, error.Problem);
        Assert.Contains(Path.Combine(folder, "model.safetensors"), error.Message, StringComparison.Ordinal);
    }

    private string WriteRl(CheckpointStore store, int step, int keep = 3) =>
        store.WritePeriodic(new CheckpointPosition(TrainingPhase.Rl, step), sftSteps: 0, keep, dir => states.Main.Save(dir, Pipeline, step));

    // Applies the corruption; returns the problem verification must report.
    private CheckpointProblem Corrupt(string path, string file, Corruption corruption)
    {
        switch (corruption)
        {
            case Corruption.Truncated:
                using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(stream.Length / 2);
                return CheckpointProblem.SizeMismatch;
            case Corruption.FlippedByte:
                FlipByte(path);
                return CheckpointProblem.HashMismatch;
            case Corruption.Missing:
                File.Delete(path);
                return CheckpointProblem.MissingFile;
            default:
            {
                // The same file from a checkpoint of another pipeline, with another model, tokenizer, adapters and curriculum.
                string folder = Path.Combine(_run, "other");
                states.Other.Save(folder, "Other", 20);
                var replacement = File.ReadAllBytes(Path.Combine(folder, file));
                Assert.NotEqual(File.ReadAllBytes(path), replacement);
                bool sameLength = replacement.Length == new FileInfo(path).Length;
                File.WriteAllBytes(path, replacement);
                return sameLength ? CheckpointProblem.HashMismatch : CheckpointProblem.SizeMismatch;
            }
        }
    }

    private static void FlipByte(string path)
    {
        using var stream = new FileStream(path, FileMode.Open);
        stream.Position = stream.Length / 2;
        int value = stream.ReadByte();
        stream.Position = stream.Length / 2;
        stream.WriteByte((byte)(value ^ 0x01));
    }
}
