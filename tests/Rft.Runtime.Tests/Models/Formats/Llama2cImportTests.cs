using System.Text.Json;
using Rft.Models;
using Rft.Models.Formats;
using Rft.Rollout;
using Rft.Text;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models.Formats;

/// <summary>
/// aidreams260K (../shared/models/aidreams260K) imported from llama2.c's format against a fixture recorded
/// from llama2.c's own run.c at temperature 0 (see Fixtures/llama2c-greedy.json for the command).
/// </summary>
public sealed class Llama2cImportTests(ITestOutputHelper output)
{
    private const string ModelPath = "models/aidreams260K/aidreams260K.bin";
    private const string TokenizerPath = "models/aidreams260K/tok512.bin";

    [Fact]
    public void Header_gives_the_published_shape()
    {
        if (SharedFiles.Find(ModelPath, output) is not { } path) return;

        var config = Llama2cCheckpoint.ReadConfig(path);

        Assert.Equal(new LlamaConfig(512, 64, 172, 4, 4, 4, 128, 10000, 1e-5, TieWordEmbeddings: true), config);
    }

    [Fact]
    public void Tokenizer_encodes_every_prompt_as_run_c_does()
    {
        if (SharedFiles.Find(TokenizerPath, output) is not { } path) return;
        var tokenizer = Llama2cTokenizer.Load(path, vocabSize: 512);

        foreach (var reference in Fixture())
        {
            Assert.Equal(reference.PromptTokens, Prompt(tokenizer, reference.Prompt));
        }
    }

    [Fact]
    public void Greedy_decoding_reproduces_run_c_tokens_for_every_recorded_prompt()
    {
        if (SharedFiles.Find(ModelPath, output) is not { } modelPath || SharedFiles.Find(TokenizerPath, output) is not { } tokenizerPath) return;
        using var model = Llama2cCheckpoint.Load(modelPath);
        var tokenizer = Llama2cTokenizer.Load(tokenizerPath, model.Config.VocabSize);

        foreach (var reference in Fixture())
        {
            var generated = GreedyAsRunC(model, reference.PromptTokens, reference.Steps);
            Assert.True(reference.GeneratedTokens.SequenceEqual(generated),
                $"prompt \"{reference.Prompt}\": expected [{string.Join(", ", reference.GeneratedTokens)}] but got [{string.Join(", ", generated)}]");
            output.WriteLine($"\"{reference.Prompt}\" -> {Text(tokenizer, [.. reference.PromptTokens, .. generated])}");
        }
    }

    [Fact]
    public void Decoding_prints_what_run_c_prints_and_reads_as_english()
    {
        if (SharedFiles.Find(TokenizerPath, output) is not { } path) return;
        var tokenizer = Llama2cTokenizer.Load(path);

        // run.c skips unprintable bytes and prints EOS's piece; compare the cases where neither happens.
        var plain = Fixture().Where(f => f.Prompt.All(char.IsAscii) && !f.GeneratedTokens.Any(t => t < 3)).ToArray();
        Assert.True(plain.Length >= 5);
        foreach (var reference in plain)
        {
            string text = Text(tokenizer, [.. reference.PromptTokens, .. reference.GeneratedTokens]);
            Assert.Equal(reference.Text, text);
            var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(words.Length >= 10, text);
            // Coherent English by a crude measure: nearly all words are letters with trailing punctuation.
            double wordy = words.Count(w => w.TrimEnd(',', '.', '!', '?', ':', ';').All(char.IsAsciiLetter)) / (double)words.Length;
            Assert.True(wordy > 0.8, $"{wordy:P0} alphabetic words in \"{text}\"");
        }
    }

    [Fact]
    public void Sampler_greedy_matches_run_c_until_the_stop_token()
    {
        if (SharedFiles.Find(ModelPath, output) is not { } modelPath || SharedFiles.Find(TokenizerPath, output) is not { } tokenizerPath) return;
        using var model = Llama2cCheckpoint.Load(modelPath);
        var tokenizer = Llama2cTokenizer.Load(tokenizerPath, model.Config.VocabSize);
        var cases = Fixture().Where(f => f.Prompt.Length > 0).Take(3).ToArray();
        int maxNew = cases.Min(c => c.GeneratedTokens.Length);
        using var sampler = new Sampler(model, tokenizer, maxRows: cases.Length, maxPromptTokens: 32, maxNewTokens: maxNew);
        var prompts = new PromptBatch(cases.Length, 32);
        foreach (var reference in cases) prompts.Add(reference.Prompt, tokenizer);

        var batch = sampler.Generate(prompts, samplesPerPrompt: 1, SamplingSettings.Greedy(maxNew), new Generator(0));

        for (int row = 0; row < cases.Length; row++)
        {
            Assert.Equal(cases[row].GeneratedTokens.Take(maxNew), batch.CompletionTokens(row).ToArray());
        }
    }

    [Theory]
    [InlineData("Once upon a time, there was a little girl.")]
    [InlineData("Café au lait, naïve ümlaut! 日本語 🙂")]
    [InlineData("  two leading spaces\nand a newline\t")]
    public void Decode_inverts_encode_with_byte_fallback(string text)
    {
        if (SharedFiles.Find(TokenizerPath, output) is not { } path) return;
        var tokenizer = Llama2cTokenizer.Load(path);

        var ids = Prompt(tokenizer, text);

        Assert.Equal(text, Text(tokenizer, ids));
        if (!text.All(char.IsAscii)) Assert.Contains(ids, id => id is >= 3 and < 259);     // some bytes fell back
    }

    /// <summary>
    /// run.c's generate loop: feed the prompt, then append the argmax, stopping at BOS or once
    /// <paramref name="steps"/> positions have been run. Keys and values are cached, as run.c does.
    /// </summary>
    private static int[] GreedyAsRunC(LlamaForCausalLM model, int[] promptTokens, int steps)
    {
        using var _ = no_grad();
        using var cache = new KvCache(model.Config, maxRows: 1, maxLength: model.Config.MaxPositions);
        cache.AttentionMask.fill_(true);
        var generated = new List<int>();
        long[] input = promptTokens.Select(t => (long)t).ToArray();
        int offset = 0;
        while (offset + input.Length < steps + 1)
        {
            using var scope = NewDisposeScope();
            var ids = tensor(input, [1, input.Length]);
            var positions = arange(offset, offset + input.Length, ScalarType.Int64).unsqueeze(0);
            int next = (int)model.ForwardCached(ids, positions, cache, offset)[0, -1].argmax().item<long>();
            generated.Add(next);
            if (next == 1) break;
            offset += input.Length;
            input = [next];
        }

        return generated.ToArray();
    }

    private static int[] Prompt(Llama2cTokenizer tokenizer, string text)
    {
        var ids = new int[text.Length * 4 + 2];
        ids[0] = tokenizer.BosId;
        int count = tokenizer.Encode(text, ids.AsSpan(1));
        return ids[..(1 + count)];
    }

    private static string Text(Llama2cTokenizer tokenizer, int[] ids)
    {
        var chars = new char[ids.Length * tokenizer.MaxCharsPerToken];
        return new string(chars, 0, tokenizer.Decode(ids, chars));
    }

    private sealed record Case(string Prompt, int Steps, int[] PromptTokens, int[] GeneratedTokens, string Text);

    private sealed record FixtureFile(Case[] Cases);

    private static Case[] Fixture()
    {
        var fixture = JsonSerializer.Deserialize<FixtureFile>(File.ReadAllText(SharedFiles.Fixture("llama2c-greedy.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        Assert.True(fixture.Cases.Length >= 5);
        return fixture.Cases;
    }
}
