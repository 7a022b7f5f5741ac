using System.Text.Json;
using Rft.Models;
using Rft.Rollout;
using Rft.Runtime.Tests.Models;
using Rft.Text;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Text;

/// <summary>
/// Any id sequence decodes, as Hugging Face decodes it: byte-level tokens need not form whole UTF-8 characters (a completion
/// cut by the token limit, any unlucky sample), and invalid bytes become U+FFFD rather than an exception that ends the run.
/// </summary>
public class DecodingTests(ITestOutputHelper output)
{
    [Fact]
    public void Random_ids_and_cut_characters_decode_to_the_text_transformers_js_gives()
    {
        var tokenizer = Qwen3Tokenizer.Get(output);
        if (tokenizer is null) return;
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedFiles.RepositoryRoot, "tests", "Rft.Runtime.Tests", "Text", "Fixtures", "qwen3-decode.json")));
        var cases = document.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.True(cases.Count >= 250);
        int replaced = 0;
        var text = new char[64 * tokenizer.MaxCharsPerToken];
        foreach (var item in cases)
        {
            int[] ids = item.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            string expected = item.GetProperty("text").GetString()!;
            // The span overload the trainer decodes completions with, and the string one.
            Assert.Equal(expected, new string(text, 0, tokenizer.Decode(ids, text)));
            Assert.Equal(expected, tokenizer.Decode(ids));
            if (expected.Contains('\uFFFD')) replaced++;
        }

        output.WriteLine($"{cases.Count} sequences decoded as transformers.js does, {replaced} of them with U+FFFD");
        Assert.True(replaced >= 20, "the fixture must exercise invalid UTF-8");
    }

    [Fact]
    public void A_completion_cut_inside_a_multi_byte_character_decodes_with_a_replacement_character()
    {
        var tokenizer = Qwen3Tokenizer.Get(output);
        if (tokenizer is null) return;
        int[] ids = tokenizer.Encode("東");               // one character, three UTF-8 bytes
        var whole = tokenizer.Decode(ids);
        Assert.Equal("東", whole);
        int[] emoji = tokenizer.Encode("😀😀");
        for (int n = 1; n < emoji.Length; n++)
        {
            string cut = tokenizer.Decode(emoji.AsSpan(0, n));
            Assert.DoesNotContain('\0', cut);
            Assert.True(cut.EndsWith('\uFFFD') || cut == "😀", $"{n} tokens of two emoji decode to '{cut}'");
        }
    }

    [Fact]
    public void Ids_past_the_tokenizer_are_never_sampled_from_a_padded_model()
    {
        using var scope = NewDisposeScope();
        var tokenizer = new CharTokenizer("abcdefghij:");
        int padded = tokenizer.VocabSize + 8;
        using var model = TinyModels.Create(seed: 3, vocabSize: padded);
        // The padding rows of the output projection would win every draw if they were in the softmax.
        using (no_grad()) model.LmHeadWeight.narrow(0, tokenizer.VocabSize, 8).fill_(5.0);

        Assert.Contains(Sample(model, tokenizer, temperature: 1.0), id => id >= tokenizer.VocabSize);   // the test can fail
        model.ActiveVocabulary = tokenizer.VocabSize;                                                    // what PolicyLoader sets
        Assert.All(Sample(model, tokenizer, temperature: 1.0), id => Assert.InRange(id, 0, tokenizer.VocabSize - 1));
        Assert.All(Sample(model, tokenizer, temperature: 0), id => Assert.InRange(id, 0, tokenizer.VocabSize - 1));
        Assert.Equal(tokenizer.VocabSize, model.OutputWeight.shape[0]);
    }

    // Every completion token of 16 samples of 6 tokens from two prompts, without the range check decoding would do.
    private static List<int> Sample(LlamaForCausalLM model, ITokenizer tokenizer, double temperature)
    {
        using var sampler = new Sampler(model, tokenizer, maxRows: 16, maxPromptTokens: 4, maxNewTokens: 6);
        var prompts = new PromptBatch(maxPrompts: 2, maxPromptTokens: 4);
        prompts.Add("ab:", tokenizer);
        prompts.Add("ci:", tokenizer);
        var rollout = sampler.Generate(prompts, 8, new SamplingSettings(6, temperature, 1.0), new Generator(4));
        var ids = rollout.Sequences.narrow(1, rollout.PromptLength, rollout.CompletionLength).masked_select(rollout.CompletionMask.to(ScalarType.Bool));
        return ids.data<long>().Select(id => (int)id).ToList();
    }
}
