using Rft.Rollout;
using Rft.Runtime.Tests.Models;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Rollout;

public class CompletionTextsTests
{
    [Fact]
    public void Decoding_and_reading_completions_allocates_nothing()
    {
        var tokenizer = TinyModels.Tokenizer();
        using var model = TinyModels.Markov(id => id == 7 ? 2 : id is >= 3 and < 10 ? id + 1 : 3);
        using var sampler = new Sampler(model, tokenizer, maxRows: 8, maxPromptTokens: 4, maxNewTokens: 6);
        var prompts = new PromptBatch(4, 4);
        foreach (var text in new[] { "a", "c", "e", "f" }) prompts.Add(text, tokenizer);
        var rollout = sampler.Generate(prompts, 2, SamplingSettings.Greedy(6), new Generator(1));
        var texts = new CompletionTexts(8, 6, tokenizer);
        texts.Decode(rollout);

        long before = GC.GetAllocatedBytesForCurrentThread();
        texts.Decode(rollout);
        int characters = 0, finished = 0;
        for (int row = 0; row < texts.Count; row++)
        {
            var completion = texts[row];
            characters += completion.Text.Length;
            if (completion.Finished) finished++;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        // "a" -> bcde EOS, "c" -> de EOS, "e" -> EOS, "f" -> ghabcd (cut at 6 tokens; 'h' is followed by 'a').
        Assert.Equal(2 * (4 + 2 + 0 + 6), characters);
        Assert.Equal(6, finished);
        Assert.Equal("ghabcd", texts[7].Text.ToString());
        Assert.False(texts[7].Finished);
        Assert.Equal(1, texts[4].TokenCount);
        Assert.Equal("", texts[4].Text.ToString());
    }
}
