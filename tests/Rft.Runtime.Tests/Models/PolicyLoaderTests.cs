using System.Text.Json;
using Rft.Models;
using Rft.Models.Formats;
using Rft.Models.Lora;
using Rft.Rollout;
using Rft.Text;
using Rft.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models;

/// <summary><see cref="PolicyLoader"/> on each kind of path, and the checkpoints <see cref="Checkpoint.Save"/> writes.</summary>
public sealed class PolicyLoaderTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rft-policy-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_llama2c_bin_loads_with_the_tokenizer_beside_it_and_decodes_greedily_as_run_c()
    {
        if (SharedFiles.Find("models/aidreams260K/aidreams260K.bin", output) is not { } path) return;

        using var policy = PolicyLoader.Load(path, ScalarType.Float32, maxPositions: 0, device: null);

        Assert.Equal(PolicyFormat.Llama2c, policy.Format);
        var tokenizer = Assert.IsType<Llama2cTokenizer>(policy.Tokenizer);
        Assert.Equal(512, tokenizer.VocabSize);
        Assert.Equal(128, policy.Model.Config.MaxPositions);
        long parameters = policy.Model.parameters().Sum(p => p.numel());
        Assert.Equal(parameters * 4, policy.Report.WeightBytes);
        Assert.True(policy.Report.PeakResidentBytes >= policy.Report.WeightBytes, policy.Report.ToString());
        output.WriteLine($"aidreams260K: {policy.Report}");

        // Greedy decoding gives run.c's tokens (Fixtures/llama2c-greedy.json, first case).
        using var fixture = JsonDocument.Parse(File.ReadAllText(SharedFiles.Fixture("llama2c-greedy.json")));
        var first = fixture.RootElement.GetProperty("cases")[0];
        int[] expected = first.GetProperty("generatedTokens").EnumerateArray().Select(t => t.GetInt32()).Take(20).ToArray();
        using var sampler = new Sampler(policy.Model, tokenizer, 1, 32, expected.Length);
        var prompts = new PromptBatch(1, 32);
        prompts.Add(first.GetProperty("prompt").GetString(), tokenizer);
        var batch = sampler.Generate(prompts, 1, SamplingSettings.Greedy(expected.Length), new TorchSharp.torch.Generator(0));
        Assert.Equal(expected, batch.CompletionTokens(0).ToArray());
    }

    [Fact]
    public void A_saved_hugging_face_directory_loads_with_its_tokenizer_in_the_requested_dtype()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Config(vocabSize: TinyHuggingFaceFiles.VocabSize);
        using var original = LlamaForCausalLM.Create(config, seed: 8);
        HuggingFaceCheckpoint.Save(original, _directory);
        TinyHuggingFaceFiles.WriteTokenizer(_directory);

        using var policy = PolicyLoader.Load(_directory, ScalarType.BFloat16, maxPositions: 32, device: null);

        Assert.Equal(PolicyFormat.HuggingFace, policy.Format);
        var tokenizer = Assert.IsType<HuggingFaceTokenizer>(policy.Tokenizer);
        Assert.Equal(TinyHuggingFaceFiles.VocabSize - 1, tokenizer.EosId);
        Assert.Equal(config with { MaxPositions = 32 }, policy.Model.Config);
        Assert.All(policy.Model.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        Assert.Equal(policy.Model.parameters().Sum(p => p.numel()) * 2, policy.Report.WeightBytes);
        var expected = original.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in policy.Model.named_parameters())
            Assert.True(TensorEquality.Same(expected[name].to(ScalarType.BFloat16), parameter), name);
    }

    [Fact]
    public void A_wrong_path_names_the_path_and_the_files_expected()
    {
        string missing = Path.Combine(_directory, "nope");
        var error = Assert.Throws<FileNotFoundException>(() => PolicyLoader.Load(missing, ScalarType.Float32, 0, null));
        Assert.Contains(missing, error.Message);
        Assert.Contains("config.json", error.Message);
        Assert.Contains("tokenizer.bin", error.Message);

        File.WriteAllText(Path.Combine(_directory, "config.json"), "{}");
        error = Assert.Throws<FileNotFoundException>(() => PolicyLoader.Load(_directory, ScalarType.Float32, 0, null));
        Assert.Contains($"{_directory}: lacks model.safetensors (or model.safetensors.index.json), tokenizer.json", error.Message);

        string bin = Path.Combine(_directory, "model.bin");
        File.WriteAllBytes(bin, new byte[28]);
        error = Assert.Throws<FileNotFoundException>(() => PolicyLoader.Load(bin, ScalarType.Float32, 0, null));
        Assert.Contains("tokenizer.bin or tok*.bin", error.Message);
    }

    [Fact]
    public void A_checkpoint_holds_hugging_face_files_the_char_tokenizer_and_loads_back()
    {
        using var scope = NewDisposeScope();
        var tokenizer = TinyModels.Tokenizer();
        using var policy = LlamaForCausalLM.Create(TinyModels.Config(tokenizer.VocabSize), seed: 3);
        string folder = Path.Combine(_directory, "checkpoint");

        Checkpoint.Save(folder, policy, optimizer: null, tokenizer, new TrainerState("Tiny", 7, 2, 5));

        Assert.Equal(["config.json", "model.safetensors", "rft_tokenizer.json", "trainer_state.json"],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(folder + ".partial"));
        Assert.Equal(new TrainerState("Tiny", 7, 2, 5), Checkpoint.ReadState(folder));
        using var loaded = PolicyLoader.Load(folder, ScalarType.Float32, 0, null);
        Assert.Equal(PolicyFormat.RftCheckpoint, loaded.Format);
        Assert.Equal(tokenizer.Alphabet, Assert.IsType<CharTokenizer>(loaded.Tokenizer).Alphabet);
        var ids = tensor(new long[] { 1, 3, 4, 5 }, [1, 4]);
        var positions = arange(4L).unsqueeze(0);
        using var noGrad = no_grad();
        Assert.True(TensorEquality.Same(policy.Forward(ids, positions, null), loaded.Model.Forward(ids, positions, null)));
    }

    [Fact]
    public void A_lora_checkpoint_holds_merged_weights_and_the_adapters_alone()
    {
        using var scope = NewDisposeScope();
        var tokenizer = TinyModels.Tokenizer();
        using var policy = LlamaForCausalLM.Create(TinyModels.Config(tokenizer.VocabSize), seed: 3);
        LoraAdapters.Apply(policy, new LoraSettings(2, 4, ["q_proj", "v_proj"], 0), seed: 1);
        using (no_grad())
        {
            foreach (var (name, parameter) in policy.named_parameters().Where(p => p.name.Contains("lora_B", StringComparison.Ordinal)))
                parameter.fill_(0.1);
        }

        string folder = Path.Combine(_directory, "checkpoint");
        Checkpoint.Save(folder, policy, optimizer: null, tokenizer, new TrainerState("Tiny", 7, 0, 1));

        Assert.True(File.Exists(Path.Combine(folder, Checkpoint.AdapterFolder, LoraAdapters.AdapterWeightsFile)));
        Assert.True(File.Exists(Path.Combine(folder, Checkpoint.AdapterFolder, LoraAdapters.AdapterConfigFile)));
        using var loaded = PolicyLoader.Load(folder, ScalarType.Float32, 0, null);
        Assert.False(LoraAdapters.HasAdapters(loaded.Model));
        var ids = tensor(new long[] { 1, 3, 4, 5 }, [1, 4]);
        var positions = arange(4L).unsqueeze(0);
        using var noGrad = no_grad();
        policy.eval();
        var difference = (policy.Forward(ids, positions, null) - loaded.Model.Forward(ids, positions, null)).abs().max().item<float>();
        Assert.True(difference < 1e-5, $"max |adapted - merged| = {difference}");
    }

    [Fact]
    public void A_hugging_face_tokenizer_is_copied_into_the_checkpoint_with_its_config()
    {
        using var scope = NewDisposeScope();
        string source = Path.Combine(_directory, "source");
        Directory.CreateDirectory(source);
        var config = TinyModels.Config(vocabSize: TinyHuggingFaceFiles.VocabSize);
        using (var original = LlamaForCausalLM.Create(config, seed: 8)) HuggingFaceCheckpoint.Save(original, source);
        TinyHuggingFaceFiles.WriteTokenizer(source);
        using var policy = PolicyLoader.Load(source, ScalarType.Float32, 0, null);
        string folder = Path.Combine(_directory, "checkpoint");

        Checkpoint.Save(folder, policy.Model, optimizer: null, policy.Tokenizer, new TrainerState("Tiny", 1, 0, 0));

        Assert.Equal(File.ReadAllText(Path.Combine(source, "tokenizer.json")), File.ReadAllText(Path.Combine(folder, "tokenizer.json")));
        Assert.True(File.Exists(Path.Combine(folder, "tokenizer_config.json")));
        using var loaded = PolicyLoader.Load(folder, ScalarType.Float32, 0, null);
        Assert.Equal(policy.Tokenizer.EosId, loaded.Tokenizer.EosId);
        Assert.Equal(((HuggingFaceTokenizer)policy.Tokenizer).Encode("hello"), ((HuggingFaceTokenizer)loaded.Tokenizer).Encode("hello"));

        // A tokenizer whose files are unknown cannot be checkpointed, and nothing is written.
        var stranger = HuggingFaceTokenizer.Load(source);
        string other = Path.Combine(_directory, "other");
        Assert.Contains("TokenizerSources.Record", Assert.Throws<ArgumentException>(() =>
            Checkpoint.Save(other, policy.Model, null, stranger, new TrainerState("Tiny", 1, 0, 0))).Message);
        Assert.False(Directory.Exists(other));
    }
}
