using System.Text.Json.Nodes;
using Rft.Models;
using Rft.Rollout;
using Rft.Runtime.Tests.Models;
using Rft.Text;
using Rft.Training;
using static Rft.Runtime.Tests.Models.TensorEquality;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Rollout;

/// <summary>Rollout logs out (<see cref="RolloutLogWriter"/>) and in (<see cref="LoggedRollouts"/>).</summary>
public sealed class LoggedRolloutsTests : IDisposable
{
    private static readonly CharTokenizer Tokenizer = TinyModels.Tokenizer();
    private static readonly string[] RewardNames = { "Right", "Short" };
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("rft-logged-");

    [Fact]
    public void A_logged_rollout_reads_back_laid_out_as_the_sampler_laid_it_out()
    {
        using var scope = NewDisposeScope();
        using var model = LlamaForCausalLM.Create(ModelPresets.Get("nano", Tokenizer.VocabSize, maxPositions: 32), seed: 4);
        using var sampler = new Sampler(model, Tokenizer, maxRows: 6, maxPromptTokens: 9, maxNewTokens: 5);
        var prompts = new PromptBatch(3, 9);
        foreach (var prompt in new[] { "abc", "h", "efgh" }) prompts.Add(prompt, Tokenizer);
        var rollout = sampler.Generate(prompts, 2, new SamplingSettings(5, 1.0, 1.0), new Generator(3));
        using var scores = new ScoreBuffer(6);
        scores.Clear(6);
        var right = new float[] { 1, 0, 0, 1, float.NaN, 0 };
        var brief = new float[] { 0.5f, 0.25f, 0, 1, 1, 0 };
        for (int i = 0; i < 6; i++) scores.Set(i, right[i] + brief[i], right[i] >= 1);
        var advantages = rollout.CompletionMask * 0.5f;

        string path = Path.Combine(_directory.FullName, "rollouts.jsonl");
        using (var writer = new RolloutLogWriter(path, Tokenizer, RewardNames)) writer.Write(7, rollout, scores, new[] { right, brief }, advantages);

        var line = JsonNode.Parse(File.ReadLines(path).First())!;
        Assert.Equal(7, line["policy_version"]!.GetValue<int>());
        Assert.Equal("abc", line["prompt"]!.GetValue<string>());
        Assert.Equal(rollout.CompletionTokenCount(0), line["completion_ids"]!.AsArray().Count);
        Assert.Equal(1.5f, line["reward"]!.GetValue<float>());
        Assert.Equal(0.5f, line["rewards"]!["Short"]!.GetValue<float>());
        Assert.Null(JsonNode.Parse(File.ReadLines(path).ElementAt(4))!["reward"]);   // the masked sample

        using var logged = new LoggedRollouts(path, Tokenizer, RewardNames, groupSize: 2, maxPrompts: 3, maxPromptTokens: 9, maxNewTokens: 5, CPU,
            requireBehaviour: true, repeat: false);
        var read = logged.Next(3);
        Assert.Equal((rollout.Rows, rollout.PromptLength, rollout.CompletionLength), (read.Rows, read.PromptLength, read.CompletionLength));
        Assert.True(Same(read.Sequences, rollout.Sequences), "sequences");
        Assert.True(Same(read.AttentionMask, rollout.AttentionMask), "attention mask");
        Assert.True(Same(read.PositionIds, rollout.PositionIds), "positions");
        Assert.True(Same(read.CompletionMask, rollout.CompletionMask), "completion mask");
        Assert.True(Same(read.LogProbs, rollout.LogProbs), "behaviour log-probs");
        for (int row = 0; row < 6; row++)
        {
            Assert.Equal(rollout.CompletionTokens(row).ToArray(), read.CompletionTokens(row).ToArray());
            Assert.Equal(rollout.Finished(row), read.Finished(row));
        }

        using var again = new ScoreBuffer(6);
        var columns = new[] { new float[6], new float[6] };
        logged.Score(again, columns);
        for (int row = 0; row < 6; row++)
        {
            Assert.Equal(scores.Score(row), again.Score(row));
            Assert.Equal(scores.IsCorrect(row), again.IsCorrect(row));
            Assert.Equal(brief[row], columns[1][row]);
        }

        Assert.Contains("holds 3 groups", Assert.Throws<InvalidOperationException>(() => logged.Next(1)).Message);
    }

    [Fact]
    public void Another_systems_text_completions_are_tokenized_and_grouped_by_prompt()
    {
        string path = Write("""
            {"prompt": "ab", "completion": "cd", "reward": 1, "correct": true}
            {"prompt": "ab", "completion": "e", "reward": 0}
            {"prompt": "h", "completion": "hh", "finished": false, "reward": 0.5}
            {"prompt": "h", "completion": "g", "reward": null}
            """);
        using var logged = new LoggedRollouts(path, Tokenizer, RewardNames, 2, 2, 9, 5, CPU, requireBehaviour: false, repeat: true);
        var batch = logged.Next(2);

        Assert.Equal(2, logged.GroupStarts.Count);
        Assert.Equal((4, 3, 3), (batch.Rows, batch.PromptLength, batch.CompletionLength));    // BOS + "ab"; "cd" + EOS
        Assert.Equal(new[] { Tokenizer.BosId, 3, 4 }, batch.Sequences[0].narrow(0, 0, 3).data<long>().Select(v => (int)v).ToArray());
        Assert.True(batch.Finished(0));
        Assert.False(batch.Finished(2));
        Assert.Equal(2, batch.CompletionTokenCount(2));
        using var scores = new ScoreBuffer(4);
        logged.Score(scores, new[] { new float[4], new float[4] });
        Assert.Equal(1, scores.Masked);
        Assert.True(scores.IsCorrect(0));
        Assert.Equal(0.5f, scores.Score(2));
        Assert.Equal(4, logged.Next(2).Rows);                                                  // it repeats
    }

    [Theory]
    [InlineData("{\"prompt\": \"ab\", \"completion\": \"c\"}", 1, "field 'reward' is missing")]
    [InlineData("{\"prompt\": \"ab\", \"completion\": \"c\", \"reward\": 1}\nnot json", 2, "the line is not valid JSON")]
    [InlineData("{\"prompt_ids\": [1, 99], \"completion\": \"c\", \"reward\": 1}", 1, "field 'prompt_ids' holds 99 at index 1")]
    [InlineData("{\"prompt\": \"ab\", \"completion_ids\": [3, 4], \"behaviour_log_probs\": [-1.0], \"reward\": 1}", 1, "field 'behaviour_log_probs' has 1 values for the completion's 2 tokens")]
    [InlineData("{\"prompt\": \"ab\", \"completion\": \"c\", \"reward\": \"high\"}", 1, "field 'reward' is \"high\", not a finite number")]
    [InlineData("{\"prompt\": \"aZ\", \"completion\": \"c\", \"reward\": 1}", 1, "field 'prompt' cannot be tokenized")]
    [InlineData("{\"prompt\": \"ab\", \"completion\": \"cdefgh\", \"reward\": 1}", 1, "field 'completion' has 7 tokens (the stop token included), more than Rft:MaxNewTokens = 5")]
    [InlineData("{\"prompt\": \"ab\", \"completion\": \"c\", \"reward\": 1}\n{\"prompt\": \"ab\", \"completion\": \"d\", \"reward\": 1}\n{\"prompt\": \"ab\", \"completion\": \"e\", \"reward\": 1}", 1, "has 3 completions; every group needs Rft:GroupSize = 2")]
    public void A_malformed_line_names_the_file_the_line_and_the_field(string lines, int line, string problem)
    {
        string path = Write(lines);
        var error = Assert.Throws<InvalidDataException>(() => new LoggedRollouts(path, Tokenizer, RewardNames, 2, 2, 9, 5, CPU, requireBehaviour: false, repeat: true));

        Assert.StartsWith($"{path}:{line}: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Behaviour_log_probs_are_required_where_the_update_reads_them()
    {
        string path = Write("{\"prompt\": \"ab\", \"completion\": \"c\", \"reward\": 1}\n{\"prompt\": \"ab\", \"completion\": \"d\", \"reward\": 0}");
        var error = Assert.Throws<InvalidDataException>(() => new LoggedRollouts(path, Tokenizer, RewardNames, 2, 1, 9, 5, CPU, requireBehaviour: true, repeat: true));
        Assert.Contains($"{path}:1: field 'behaviour_log_probs' is missing", error.Message);
    }

    private string Write(string lines)
    {
        string path = Path.Combine(_directory.FullName, Guid.NewGuid().ToString("N") + ".jsonl");
        File.WriteAllText(path, lines.Replace("\r", string.Empty) + "\n");
        return path;
    }

    [Fact]
    public void A_resumed_run_keeps_the_logged_steps_up_to_its_checkpoint_and_a_new_run_replaces_the_file()
    {
        using var scope = NewDisposeScope();
        using var model = LlamaForCausalLM.Create(ModelPresets.Get("nano", Tokenizer.VocabSize, maxPositions: 32), seed: 4);
        using var sampler = new Sampler(model, Tokenizer, maxRows: 2, maxPromptTokens: 9, maxNewTokens: 5);
        var prompts = new PromptBatch(1, 9);
        prompts.Add("abc", Tokenizer);
        var rollout = sampler.Generate(prompts, 2, new SamplingSettings(5, 1.0, 1.0), new Generator(3));
        using var scores = new ScoreBuffer(2);
        scores.Clear(2);
        var right = new float[] { 1, 0 };
        var brief = new float[] { 0.5f, 0.25f };
        for (int i = 0; i < 2; i++) scores.Set(i, right[i] + brief[i], right[i] >= 1);
        var advantages = rollout.CompletionMask * 0.5f;
        string path = Path.Combine(_directory.FullName, "rollouts.jsonl");
        int[] Steps() => File.ReadLines(path).Select(l => JsonNode.Parse(l)!["step"]!.GetValue<int>()).ToArray();

        // The first process logs steps 1 to 4, then dies while writing step 5 (half a line); its checkpoint was at step 3.
        using (var writer = new RolloutLogWriter(path, Tokenizer, RewardNames))
        {
            for (int step = 1; step <= 4; step++) writer.Write(step, rollout, scores, new[] { right, brief }, advantages);
        }

        File.AppendAllText(path, "{\"step\":5,\"policy_vers");

        // The resumed process opens the file before it knows it resumes, then continues after step 3.
        using (var writer = new RolloutLogWriter(path, Tokenizer, RewardNames))
        {
            Assert.Equal(9, File.ReadLines(path).Count());                // opening it changed nothing
            Assert.Equal(3, writer.ContinueAfter(3));                    // step 4's two lines and the cut one
            Assert.Equal(6, writer.Lines);
            for (int step = 4; step <= 5; step++) writer.Write(step, rollout, scores, new[] { right, brief }, advantages);
        }

        Assert.Equal([1, 1, 2, 2, 3, 3, 4, 4, 5, 5], Steps());

        // A new run of that name (no ContinueAfter) replaces the file at its first step.
        using (var writer = new RolloutLogWriter(path, Tokenizer, RewardNames)) writer.Write(1, rollout, scores, new[] { right, brief }, advantages);
        Assert.Equal([1, 1], Steps());
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
