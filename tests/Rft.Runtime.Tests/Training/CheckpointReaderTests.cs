using System.Security.Cryptography;
using System.Text;
using Rft.Data.Curricula;
using Rft.Runtime.Tests.Data.Curricula;
using Rft.Training;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Training;

/// <summary>
/// Each file a trainer reads back, damaged in each way, read without a manifest to catch it first: a clear error
/// naming the file and what is wrong, never a crash, a hang or an allocation the file dictates.
/// </summary>
public sealed class CheckpointReaderTests(TinyRunStates states) : IDisposable, IClassFixture<TinyRunStates>
{
    private readonly string _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "rft-checkpoint-readers-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Saved(string name = "checkpoint", TinyRunState? state = null, string pipeline = "Tiny")
    {
        string folder = Path.Combine(_directory, name);
        (state ?? states.Main).Save(folder, pipeline, 20);
        return folder;
    }

    [Fact]
    public void The_trainer_state_reads_back_and_names_its_pipeline()
    {
        string folder = Saved();
        Assert.Equal(new TrainerState("Tiny", 7, 0, 20), Checkpoint.ReadState(folder, "Tiny"));
    }

    [Theory]
    [InlineData("truncated", "not a trainer state")]
    [InlineData("garbage", "not a trainer state")]
    [InlineData("a field missing", "not a trainer state")]
    [InlineData("null pipeline", "not a trainer state")]
    [InlineData("negative step", "step counts cannot be negative")]
    [InlineData("another pipeline", "written by pipeline Other, not Tiny")]
    [InlineData("huge", "more than the 16777216-byte limit of a trainer state")]
    public void A_damaged_trainer_state_is_named_with_what_is_wrong(string damage, string message)
    {
        string folder = Saved();
        string path = Path.Combine(folder, "trainer_state.json");
        string json = File.ReadAllText(path);
        switch (damage)
        {
            case "truncated": File.WriteAllText(path, json[..(json.Length / 2)]); break;
            case "garbage": File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(200)); break;
            case "a field missing": File.WriteAllText(path, """{"Pipeline": "Tiny", "Seed": 7, "SftSteps": 0}"""); break;
            case "null pipeline": File.WriteAllText(path, """{"Pipeline": null, "Seed": 7, "SftSteps": 0, "RlSteps": 3}"""); break;
            case "negative step": File.WriteAllText(path, """{"Pipeline": "Tiny", "Seed": 7, "SftSteps": 0, "RlSteps": -3}"""); break;
            case "another pipeline": Saved("other", states.Other, "Other"); File.Copy(Path.Combine(_directory, "other", "trainer_state.json"), path, overwrite: true); break;
            case "huge": using (var file = new FileStream(path, FileMode.Open)) file.SetLength(17 << 20); break;
        }

        var error = Assert.Throws<FormatException>(() => Checkpoint.ReadState(folder, "Tiny"));
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_trainer_state_is_named()
    {
        string folder = Saved();
        File.Delete(Path.Combine(folder, "trainer_state.json"));
        var error = Assert.Throws<FileNotFoundException>(() => Checkpoint.ReadState(folder, "Tiny"));
        Assert.Contains(Path.Combine(folder, "trainer_state.json"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_optimizer_state_reads_back_into_the_same_parameters()
    {
        string folder = Saved();
        var before = File.ReadAllBytes(Path.Combine(folder, "optimizer.dat"));
        using var fresh = new TinyRunState();
        fresh.Step();
        fresh.Step();

        fresh.Optimizer.Load(Path.Combine(folder, "optimizer.dat"));

        string reloaded = Path.Combine(_directory, "reloaded.dat");
        fresh.Optimizer.Save(reloaded);
        Assert.Equal(before, File.ReadAllBytes(reloaded));
    }

    [Theory]
    [InlineData("truncated in the data", "is truncated, or not an optimizer state")]
    [InlineData("truncated in the header", "is truncated, or not an optimizer state")]
    [InlineData("another optimizer's name", "holds the state of a \"AdamZ\" optimizer, not AdamW")]
    [InlineData("a damaged length", "has a damaged length where")]
    [InlineData("a huge rank", "dimensions; the parameter has 2")]
    [InlineData("garbage", "it is not the AdamW state of this model")]
    [InlineData("extra bytes", "bytes after the state of the last parameter")]
    [InlineData("another model", "trainable parameters (another model, or LoRA on one side only)")]
    [InlineData("another model of the same parameter count", "shape")]
    public void A_damaged_optimizer_state_is_rejected_before_TorchSharp_reads_it_and_the_optimizer_is_untouched(string damage, string message)
    {
        string folder = Saved();
        string path = Path.Combine(folder, "optimizer.dat");
        var bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "truncated in the data": File.WriteAllBytes(path, bytes[..(bytes.Length - 10)]); break;
            case "truncated in the header": File.WriteAllBytes(path, bytes[..20]); break;
            case "another optimizer's name": bytes[5] = (byte)'Z'; File.WriteAllBytes(path, bytes); break;
            case "a damaged length": File.WriteAllBytes(path, [.. bytes[..6], .. Enumerable.Repeat((byte)0xff, 12)]); break;
            case "a huge rank":
                // After the name, the two counts and the group's 50 bytes: the first step (8 bytes), the dtype, then the rank.
                bytes[6 + 2 + 50 + 8 + 1] = 0x7f;
                File.WriteAllBytes(path, bytes);
                break;
            case "garbage": File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(bytes.Length)); break;
            case "extra bytes": File.WriteAllBytes(path, [.. bytes, 0, 0, 0]); break;
            case "another model":
            {
                using var other = new TinyRunState(seed: 11, loraRank: 0);
                other.Optimizer.Save(path);
                break;
            }

            case "another model of the same parameter count": File.Copy(Path.Combine(Saved("other", states.Other, "Other"), "optimizer.dat"), path, overwrite: true); break;
        }

        using var target = new TinyRunState();
        string original = Path.Combine(_directory, "original.dat");
        target.Optimizer.Save(original);

        var error = Assert.Throws<FormatException>(() => target.Optimizer.Load(path));

        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        string after = Path.Combine(_directory, "after.dat");
        target.Optimizer.Save(after);
        Assert.Equal(File.ReadAllBytes(original), File.ReadAllBytes(after));
    }

    [Fact]
    public void A_missing_optimizer_state_is_named()
    {
        string path = Path.Combine(Saved(), "optimizer.dat");
        File.Delete(path);
        var error = Assert.Throws<FileNotFoundException>(() => states.Main.Optimizer.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_curriculum_state_reads_back_into_a_fresh_curriculum()
    {
        string folder = Saved();
        var fresh = new SelfEvolvingCurriculum<Item>(CurriculumHarness.CreateMixture(21), static item => item.Category, 0.5, 0.2, seed: 5);

        Checkpoint.LoadCurriculum(folder, fresh);

        Assert.Equal(states.Main.Curriculum.SaveState(), fresh.SaveState());
    }

    [Theory]
    [InlineData("truncated", "Malformed SelfEvolvingCurriculum state")]
    [InlineData("a flipped byte", "SelfEvolvingCurriculum")]
    [InlineData("another curriculum", "saved by a StagedCurriculum, not a SelfEvolvingCurriculum")]
    [InlineData("a huge array", "Malformed SelfEvolvingCurriculum state")]
    [InlineData("huge", "more than the 268435456-byte limit of a curriculum state")]
    public void A_damaged_curriculum_state_is_named_with_what_is_wrong(string damage, string message)
    {
        string folder = Saved();
        string path = Path.Combine(folder, "curriculum.msgpack");
        var bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "truncated": File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]); break;
            // The kind's name is the second item: a flipped letter names another kind.
            case "a flipped byte": bytes[4] ^= 0x01; File.WriteAllBytes(path, bytes); break;
            case "another curriculum":
                File.WriteAllBytes(path, new StagedCurriculum<Item>(CurriculumHarness.CreateMixture(), static item => item.Category, 0.5, 4).SaveState());
                break;
            case "a huge array":
                // An array header claiming 2^32 - 1 items after the kind and version.
                File.WriteAllBytes(path, [0xdd, 0xff, 0xff, 0xff, 0xff]);
                break;
            case "huge": using (var file = new FileStream(path, FileMode.Open)) file.SetLength(257L << 20); break;
        }

        var fresh = new SelfEvolvingCurriculum<Item>(CurriculumHarness.CreateMixture(21), static item => item.Category, 0.5, 0.2, seed: 5);
        var error = Assert.Throws<FormatException>(() => Checkpoint.LoadCurriculum(folder, fresh));

        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_curriculum_state_is_named()
    {
        string folder = Saved();
        File.Delete(Path.Combine(folder, "curriculum.msgpack"));
        var fresh = new SelfEvolvingCurriculum<Item>(CurriculumHarness.CreateMixture(21), static item => item.Category, 0.5, 0.2, seed: 5);
        var error = Assert.Throws<FileNotFoundException>(() => Checkpoint.LoadCurriculum(folder, fresh));
        Assert.Contains(Path.Combine(folder, "curriculum.msgpack"), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("truncated", "not valid JSON")]
    [InlineData("garbage", "not valid JSON")]
    [InlineData("no alphabet", "a char tokenizer needs a non-empty string \"alphabet\"")]
    [InlineData("huge", "more than the 16777216-byte limit of a char tokenizer")]
    public void A_damaged_char_tokenizer_is_named_with_what_is_wrong(string damage, string message)
    {
        string folder = Saved();
        string path = Path.Combine(folder, "rft_tokenizer.json");
        string json = File.ReadAllText(path);
        switch (damage)
        {
            case "truncated": File.WriteAllText(path, json[..(json.Length / 2)]); break;
            case "garbage": File.WriteAllBytes(path, Encoding.UTF8.GetBytes("\u0001\u0002 not json")); break;
            case "no alphabet": File.WriteAllText(path, """{"kind": "char"}"""); break;
            case "huge": using (var file = new FileStream(path, FileMode.Open)) file.SetLength(17 << 20); break;
        }

        var error = Assert.Throws<FormatException>(() => Checkpoint.LoadTokenizer(folder));
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tokenizer_json_beyond_any_real_tokenizers_size_is_rejected_before_it_is_parsed()
    {
        string folder = Path.Combine(_directory, "huge");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "tokenizer.json");
        using (var file = new FileStream(path, FileMode.Create)) file.SetLength(257L << 20);

        var error = Assert.Throws<FormatException>(() => Checkpoint.LoadTokenizer(folder));

        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("more than the 268435456-byte limit", error.Message, StringComparison.Ordinal);
    }
}
