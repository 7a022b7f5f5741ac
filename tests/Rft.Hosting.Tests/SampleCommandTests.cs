using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rft.Models;
using Rft.Text;
using Rft.Training;
using Xunit.Abstractions;

namespace Rft.Hosting.Tests;

/// <summary>The <c>sample</c> verb every generated host gets through <see cref="RftHost.RunAsync(string[], Action{Microsoft.Extensions.Hosting.HostApplicationBuilder})"/>.</summary>
public sealed class SampleCommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Sampling_a_checkpoint_is_deterministic_for_a_seed()
    {
        string checkpoint = SaveTinyCheckpoint(Path.Combine(_root.Path, "Tiny-20260101-000000-seed1", "checkpoint"));
        string[] args = ["sample", "--model", checkpoint, "--prompt", "abc", "--count", "3", "--temperature", "1.5", "--max-tokens", "12", "--seed", "7"];

        var first = await Run(args);
        var second = await Run(args);
        var otherSeed = await Run([.. args[..^1], "8"]);

        Assert.Equal(0, first.ExitCode);
        var lines = first.Lines();
        Assert.Equal(3, lines.Length);
        for (int i = 0; i < 3; i++) Assert.StartsWith($"{i + 1}: ", lines[i]);
        Assert.Equal(first.Out, second.Out);
        Assert.NotEqual(first.Out, otherSeed.Out);
        Assert.Contains("RftCheckpoint", first.Error);      // the load report goes to standard error
    }

    [Fact]
    public async Task Without_a_model_the_newest_runs_checkpoint_is_used_and_without_one_the_message_says_to_train()
    {
        var none = await Run(["sample", "--prompt", "abc", $"--Rft:RunDirectory={_root.Path}"]);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("train first, or pass --model <path>", none.Error);

        SaveTinyCheckpoint(Path.Combine(_root.Path, "Tiny-20260101-000000-seed1", "checkpoint"));
        var greedy = await Run(["sample", "--prompt", "abc", "--temperature", "0", "--max-tokens", "5", $"--Rft:RunDirectory={_root.Path}"]);

        Assert.Equal(0, greedy.ExitCode);
        Assert.StartsWith("1: ", Assert.Single(greedy.Lines()));
        Assert.Contains(Path.Combine(_root.Path, "Tiny-20260101-000000-seed1", "checkpoint"), greedy.Error);
    }

    [Fact]
    public async Task A_run_without_a_final_checkpoint_is_sampled_from_the_newest_periodic_one()
    {
        // A run still going, or killed: only checkpoints/ and its latest pointer.
        string run = Path.Combine(_root.Path, "Tiny-20260101-000000-seed1");
        var store = new CheckpointStore(run, "Tiny");
        store.WritePeriodic(new CheckpointPosition(TrainingPhase.Rl, 10), 0, 3, directory => SaveTinyCheckpoint(directory));
        string newest = store.WritePeriodic(new CheckpointPosition(TrainingPhase.Rl, 20), 0, 3, directory => SaveTinyCheckpoint(directory));

        var greedy = await Run(["sample", "--prompt", "abc", "--temperature", "0", "--max-tokens", "5", $"--Rft:RunDirectory={_root.Path}"]);

        Assert.Equal(0, greedy.ExitCode);
        Assert.Contains($"sample: loaded {newest} (RftCheckpoint)", greedy.Error);
    }

    [Theory]
    [InlineData("--temperature", "hot", "--temperature \"hot\" must be 0 (greedy) or a positive number")]
    [InlineData("--top-p", "1.5", "--top-p \"1.5\" must be a number in (0, 1]")]
    [InlineData("--device", "tpu", "--device \"tpu\" is not supported; valid values: cpu, cuda")]
    [InlineData("--count", "0", "--count \"0\" must be an integer >= 1")]
    [InlineData("--nope", "1", "Unrecognized command or argument '--nope'")]
    public async Task A_bad_flag_exits_2_naming_the_flag_and_its_valid_values(string flag, string value, string expected)
    {
        var run = await Run(["sample", "--model", _root.Path, "--prompt", "abc", flag, value]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("sample: " + expected, run.Error);
        Assert.Contains("sample [options]", run.Error);     // the usage follows the message
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task Chat_needs_a_hugging_face_tokenizer_and_help_prints_the_usage()
    {
        string checkpoint = SaveTinyCheckpoint(Path.Combine(_root.Path, "run", "checkpoint"));
        var chat = await Run(["sample", "--model", checkpoint, "--prompt", "abc", "--chat"]);
        Assert.Equal(2, chat.ExitCode);
        Assert.Contains("which needs a Hugging Face tokenizer; this model's is a CharTokenizer", chat.Error);

        var help = await Run(["sample", "--help"]);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("sample [options]", help.Out);
        Assert.Contains("--prompt <text> (REQUIRED)", help.Out);
        Assert.Contains("--temperature <X>", help.Out);
    }

    [Fact]
    public async Task A_prompt_may_start_with_an_at_sign_and_host_options_may_take_their_value_as_the_next_argument()
    {
        string checkpoint = SaveTinyCheckpoint(Path.Combine(_root.Path, "run", "checkpoint"));

        // "@abc" is a prompt, not a response file to expand: it reaches the tokenizer, whose alphabet lacks '@'.
        var at = await Run(["sample", "--model", checkpoint, "--prompt", "@abc", "--temperature", "0", "--max-tokens", "3"]);
        Assert.Equal(2, at.ExitCode);
        Assert.Contains("sample: --prompt cannot be tokenized: Character '@' (U+0040) at index 0 of \"@abc\"", at.Error);

        // "--Rft:RunDirectory <path>" goes to the host, which finds the checkpoint there.
        var run = await Run(["sample", "--prompt", "abc", "--temperature", "0", "--max-tokens", "3", "--Rft:RunDirectory", _root.Path]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.StartsWith("1: ", Assert.Single(run.Lines()));
        Assert.Contains(checkpoint, run.Error);
    }

    [Fact]
    public async Task A_missing_model_path_exits_2_naming_it()
    {
        string missing = Path.Combine(_root.Path, "nowhere");
        var run = await Run(["sample", "--model", missing, "--prompt", "abc"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"--model {missing} does not exist", run.Error);
    }

    [Fact]
    public async Task Greedy_sampling_from_aidreams260K_prints_what_llama2c_run_c_printed()
    {
        string shared = Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "models", "aidreams260K", "aidreams260K.bin"));
        if (!File.Exists(shared))
        {
            string message = $"SKIPPED: {shared} is absent (shared data lives in ../shared beside the repository; see its README).";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) Assert.Fail(message + " CI=true requires it.");
            output.WriteLine(message);
            return;
        }

        using var fixture = JsonDocument.Parse(File.ReadAllText(
            Path.Combine(RepositoryRoot(), "tests", "Rft.Runtime.Tests", "Models", "Formats", "Fixtures", "llama2c-greedy.json")));
        var first = fixture.RootElement.GetProperty("cases")[0];
        string prompt = first.GetProperty("prompt").GetString()!;
        string text = first.GetProperty("text").GetString()!;
        int generated = first.GetProperty("generatedTokens").GetArrayLength();
        Assert.StartsWith(prompt, text);

        var run = await Run(["sample", "--model", shared, "--prompt", prompt, "--temperature", "0", "--max-tokens", generated.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("1: " + text[prompt.Length..], Assert.Single(run.Lines()));
        output.WriteLine(run.Error.Trim());
    }

    private static string SaveTinyCheckpoint(string directory)
    {
        var tokenizer = new CharTokenizer("abcdefgh");
        using var policy = LlamaForCausalLM.Create(
            new LlamaConfig(tokenizer.VocabSize, HiddenSize: 32, IntermediateSize: 64, NumLayers: 2, NumHeads: 4, NumKvHeads: 2, MaxPositions: 64), seed: 3);
        Checkpoint.Save(directory, policy, optimizer: null, tokenizer, new TrainerState("Tiny", 1, 0, 0));
        return directory;
    }

    private static async Task<SampleRun> Run(string[] args)
    {
        var outWriter = new StringWriter();
        var errorWriter = new StringWriter();
        int exitCode = await RftHost.RunAsync(args, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(new RftConsole(outWriter, errorWriter));
        });
        return new SampleRun(exitCode, outWriter.ToString(), errorWriter.ToString());
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Dsl.sln"))) return directory.FullName;
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Dsl.sln.");
    }

    private sealed record SampleRun(int ExitCode, string Out, string Error)
    {
        public string[] Lines() => Out.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
    }
}
