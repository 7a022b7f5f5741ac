using Rft.Models;
using Rft.Rollout;
using Rft.Runtime.Tests.Models;
using Rft.Text;
using static Rft.Runtime.Tests.Models.TensorEquality;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Rollout;

public class SamplerTests
{
    private static readonly CharTokenizer Tokenizer = TinyModels.Tokenizer();   // a..h = ids 3..10

    [Fact]
    public void Greedy_tokens_are_the_argmax_of_the_full_forward_at_every_step()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 11);
        using var sampler = new Sampler(model, Tokenizer, maxRows: 8, maxPromptTokens: 8, maxNewTokens: 6);
        var prompts = Prompts("abcdefg", "hb", "c");

        var rollout = sampler.Generate(prompts, samplesPerPrompt: 2, SamplingSettings.Greedy(6), new Generator(1));

        Assert.Equal((6, 8, 6), (rollout.Rows, rollout.PromptLength, rollout.CompletionLength));
        var predicted = FullForwardLogits(model, rollout).argmax(-1);              // [rows, T]
        var generated = rollout.Sequences.narrow(1, rollout.PromptLength, rollout.CompletionLength);
        var real = rollout.CompletionMask.to(ScalarType.Bool);
        Assert.True(Same(predicted.masked_select(real), generated.masked_select(real)));
        Assert.True(real.narrow(1, 0, 1).all().item<bool>());
    }

    [Fact]
    public void Greedy_generation_is_deterministic_and_identical_across_a_prompts_samples()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 12);
        using var sampler = new Sampler(model, Tokenizer, maxRows: 8, maxPromptTokens: 8, maxNewTokens: 5);
        var prompts = Prompts("abc", "gfedcba");

        var first = sampler.Generate(prompts, 3, SamplingSettings.Greedy(5), new Generator(1)).Sequences.clone();
        var second = sampler.Generate(prompts, 3, SamplingSettings.Greedy(5), new Generator(2)).Sequences;

        Assert.True(Same(first, second));
        Assert.True(Same(first[0], first[2]) && Same(first[3], first[5]));
    }

    [Fact]
    public void Chunked_decoding_gathers_the_batch_a_whole_decode_gives_and_holds_one_chunk()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 12);
        // Prompts of different lengths in each chunk of two, so the gathered batch re-aligns prompts and completions.
        var prompts = Prompts("abc", "gfedcba", "de", "h", "bb");
        using var whole = new Sampler(model, Tokenizer, maxRows: 15, maxPromptTokens: 8, maxNewTokens: 6);
        using var chunked = new Sampler(model, Tokenizer, maxRows: 15, maxPromptTokens: 8, maxNewTokens: 6, decodeRows: 7);

        var expected = whole.Generate(prompts, 3, SamplingSettings.Greedy(6), new Generator(1));
        var actual = chunked.Generate(prompts, 3, SamplingSettings.Greedy(6), new Generator(1));

        Assert.Equal(7, chunked.DecodeRows);
        Assert.Equal((expected.Rows, expected.PromptLength, expected.CompletionLength), (actual.Rows, actual.PromptLength, actual.CompletionLength));
        Assert.True(Same(expected.Sequences, actual.Sequences));
        Assert.True(Same(expected.AttentionMask, actual.AttentionMask));
        Assert.True(Same(expected.PositionIds, actual.PositionIds));
        Assert.True(Same(expected.CompletionMask, actual.CompletionMask));
        Assert.True(expected.LogProbs.allclose(actual.LogProbs, rtol: 1e-5, atol: 1e-6));
        for (int row = 0; row < expected.Rows; row++)
        {
            Assert.Equal(expected.CompletionTokens(row).ToArray(), actual.CompletionTokens(row).ToArray());
            Assert.Equal(expected.Finished(row), actual.Finished(row));
        }

        Assert.Equal((expected.GeneratedTokens, expected.SequenceTokens), (actual.GeneratedTokens, actual.SequenceTokens));

        // A group never spans two chunks: more samples per prompt than the decoding rows is refused with the option.
        var refused = Assert.Throws<ArgumentException>(() => chunked.Generate(Prompts("ab"), 8, SamplingSettings.Greedy(6), new Generator(1)));
        Assert.Contains("Rft:DecodeRows", refused.Message);
    }

    [Fact]
    public void Sampling_with_the_same_seed_gives_the_same_tokens()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 13);
        using var sampler = new Sampler(model, Tokenizer, maxRows: 32, maxPromptTokens: 8, maxNewTokens: 8);
        var prompts = Prompts("abc", "de", "fgh", "a");
        var settings = new SamplingSettings(8, Temperature: 1.5, TopP: 0.95);

        var first = sampler.Generate(prompts, 8, settings, new Generator(42)).Sequences.clone();
        var again = sampler.Generate(prompts, 8, settings, new Generator(42)).Sequences.clone();
        var other = sampler.Generate(prompts, 8, settings, new Generator(43)).Sequences;

        Assert.True(Same(first, again));
        Assert.False(Same(first, other));
        // Samples of one prompt differ from each other (32 rows of 8 tokens at temperature 1.5).
        Assert.False(Same(first[0], first[1]) && Same(first[1], first[2]) && Same(first[2], first[3]));
    }

    [Fact]
    public void Top_p_near_zero_keeps_only_the_most_likely_token()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 14);
        using var sampler = new Sampler(model, Tokenizer, maxRows: 16, maxPromptTokens: 8, maxNewTokens: 6);
        var prompts = Prompts("abc", "hgf", "d", "eeeee");

        var greedy = sampler.Generate(prompts, 4, SamplingSettings.Greedy(6), new Generator(1)).Sequences.clone();
        var nucleus = sampler.Generate(prompts, 4, new SamplingSettings(6, Temperature: 1.0, TopP: 1e-6), new Generator(1)).Sequences;

        Assert.True(Same(greedy, nucleus));
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(0.7, 0.8)]
    public void Sampled_tokens_follow_the_models_distribution(double temperature, double topP)
    {
        // 16,384 first tokens of one prompt against the distribution of a full forward (temperature-scaled, nucleus-
        // truncated and renormalised): the empirical frequencies are within 0.03 in total variation (about 0.01 expected
        // by chance), and no token outside the nucleus is ever drawn.
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 19);
        const int samples = 16384;
        using var sampler = new Sampler(model, Tokenizer, maxRows: samples, maxPromptTokens: 8, maxNewTokens: 1);
        var rollout = sampler.Generate(Prompts("abcd"), samples, new SamplingSettings(1, temperature, topP), new Generator(3));

        var probs = (FullForwardLogits(model, rollout)[0, 0] / temperature).softmax(-1).to(ScalarType.Float64);   // [V]
        var (sorted, order) = probs.sort(-1, descending: true, stable: true);
        var kept = (sorted.cumsum(-1) - sorted).lt(topP);
        var expected = zeros_like(probs).index_put_(sorted * kept, order);
        expected /= expected.sum();
        var counts = rollout.Sequences.narrow(1, rollout.PromptLength, 1).flatten().bincount(null, probs.shape[0]).to(ScalarType.Float64);
        double distance = ((counts / samples) - expected).abs().sum().item<double>() / 2;

        Assert.True(distance < 0.03, $"total variation {distance} between the sampled and the model's distribution");
        Assert.Equal(0.0, counts.masked_select(expected.eq(0)).sum().item<double>());
    }

    [Fact]
    public void Behaviour_log_probs_are_the_temperature_scaled_log_softmax_at_the_sampled_tokens()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 15);
        using var sampler = new Sampler(model, Tokenizer, maxRows: 16, maxPromptTokens: 8, maxNewTokens: 7);
        var prompts = Prompts("abcd", "h", "gg");
        const double temperature = 0.7;

        var rollout = sampler.Generate(prompts, 4, new SamplingSettings(7, temperature, TopP: 0.9), new Generator(5));

        var logSoftmax = (FullForwardLogits(model, rollout) / temperature).log_softmax(-1);
        var generated = rollout.Sequences.narrow(1, rollout.PromptLength, rollout.CompletionLength);
        var expected = logSoftmax.gather(2, generated.unsqueeze(-1)).squeeze(-1) * rollout.CompletionMask;
        var difference = (expected - rollout.LogProbs).abs().max().item<float>();
        Assert.True(difference < 1e-4, $"max |expected - behaviour| = {difference}");
        Assert.True(rollout.LogProbs.masked_select(rollout.CompletionMask.eq(0)).eq(0).all().item<bool>());
    }

    [Fact]
    public void A_row_that_emits_the_stop_token_is_finished_and_padded_after_it()
    {
        using var scope = NewDisposeScope();
        // Greedy chain: each letter is followed by the next one, 'e' by EOS (a=3 ... e=7, EOS=2).
        using var model = TinyModels.Markov(id => id == 7 ? 2 : id is >= 3 and < 10 ? id + 1 : 3);
        using var sampler = new Sampler(model, Tokenizer, maxRows: 4, maxPromptTokens: 4, maxNewTokens: 8);
        var texts = new CompletionTexts(4, 8, Tokenizer);

        // "c" -> d e EOS (3 tokens); "ha" -> b c d e EOS (5 tokens). Everyone stops after 5 steps.
        var rollout = sampler.Generate(Prompts("c", "ha"), 1, SamplingSettings.Greedy(8), new Generator(1));
        texts.Decode(rollout);

        Assert.Equal(5, rollout.CompletionLength);
        Assert.Equal(new long[] { 0, 1, 5, 6, 7, 2, 0, 0 }, rollout.Sequences[0].data<long>().ToArray());
        Assert.Equal(new long[] { 1, 10, 3, 4, 5, 6, 7, 2 }, rollout.Sequences[1].data<long>().ToArray());
        Assert.Equal(new float[] { 1, 1, 1, 0, 0 }, rollout.CompletionMask[0].data<float>().ToArray());
        Assert.Equal(new float[] { 1, 1, 1, 1, 1 }, rollout.CompletionMask[1].data<float>().ToArray());
        Assert.Equal(new[] { false, true, true, true, true, true, false, false }, rollout.AttentionMask[0].data<bool>().ToArray());
        Assert.Equal(new long[] { 0, 0, 1, 2, 3, 4, 5, 6 }, rollout.PositionIds[0].data<long>().ToArray());
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5, 6, 7 }, rollout.PositionIds[1].data<long>().ToArray());
        Assert.Equal(0f, rollout.LogProbs[0, 4].item<float>());

        Assert.True(rollout.Finished(0) && rollout.Finished(1));
        Assert.Equal((3, 5), (rollout.CompletionTokenCount(0), rollout.CompletionTokenCount(1)));
        Assert.Equal(new[] { 6, 7 }, rollout.CompletionTokens(0).ToArray());
        Assert.Equal("de", texts[0].Text.ToString());
        Assert.Equal("bcde", texts[1].Text.ToString());
        Assert.True(texts[0].Finished);
        Assert.Equal(3, texts[0].TokenCount);
    }

    [Fact]
    public void A_row_cut_at_the_token_limit_is_not_finished()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Markov(id => id == 7 ? 2 : id is >= 3 and < 10 ? id + 1 : 3);
        using var sampler = new Sampler(model, Tokenizer, maxRows: 4, maxPromptTokens: 4, maxNewTokens: 8);
        var texts = new CompletionTexts(4, 8, Tokenizer);

        var rollout = sampler.Generate(Prompts("d", "a"), 2, SamplingSettings.Greedy(3), new Generator(1));
        texts.Decode(rollout);

        Assert.Equal(3, rollout.CompletionLength);
        Assert.True(rollout.Finished(0) && rollout.Finished(1));      // "d" -> e EOS
        Assert.False(rollout.Finished(2) || rollout.Finished(3));     // "a" -> b c d, cut
        Assert.Equal(2, rollout.CompletionTokenCount(0));
        Assert.Equal(3, rollout.CompletionTokenCount(3));
        Assert.Equal("bcd", texts[3].Text.ToString());
        Assert.False(texts[3].Finished);
    }

    [Fact]
    public void Consecutive_rollouts_reuse_the_same_buffers()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 16);
        using var sampler = new Sampler(model, Tokenizer, maxRows: 8, maxPromptTokens: 8, maxNewTokens: 4);
        var settings = new SamplingSettings(4, 1.0, 1.0);

        var first = sampler.Generate(Prompts("abc", "d"), 4, settings, new Generator(1));
        var pointers = Pointers(first);
        var second = sampler.Generate(Prompts("gfedcb"), 2, settings, new Generator(2));

        Assert.Same(first, second);
        Assert.Equal(pointers, Pointers(second));
        Assert.Equal((2, 7), (second.Rows, second.PromptLength));
        Assert.True(second.Sequences.is_contiguous() && second.LogProbs.is_contiguous());
    }

    [Fact]
    public void A_rollout_leaves_no_tensor_alive_behind_it()
    {
        using var model = TinyModels.Create(seed: 17);
        using var sampler = new Sampler(model, Tokenizer, maxRows: 8, maxPromptTokens: 8, maxNewTokens: 6);
        var prompts = Prompts("abc", "d");
        var settings = new SamplingSettings(6, 1.0, 0.9);
        using var generator = new Generator(3);
        sampler.Generate(prompts, 4, settings, generator);

        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 3; i++) sampler.Generate(prompts, 4, settings, generator);

        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void A_sampler_built_and_used_inside_short_lived_scopes_keeps_its_buffers()
    {
        LlamaForCausalLM model;
        Sampler sampler;
        using (NewDisposeScope())
        {
            model = TinyModels.Create(seed: 18);
            sampler = new Sampler(model, Tokenizer, maxRows: 4, maxPromptTokens: 8, maxNewTokens: 3);
        }

        using (model)
        using (sampler)
        {
            RolloutBatch rollout;
            using (NewDisposeScope()) rollout = sampler.Generate(Prompts("ab"), 2, SamplingSettings.Greedy(3), new Generator(1));

            Assert.Equal(new long[] { 2, 6 }, rollout.Sequences.shape);
            Assert.Equal(1L, rollout.Sequences[0, 0].item<long>());
        }
    }

    [Fact]
    public void Too_many_rows_are_rejected_with_the_numbers()
    {
        using var model = TinyModels.Create();
        using var sampler = new Sampler(model, Tokenizer, maxRows: 4, maxPromptTokens: 8, maxNewTokens: 4);

        var error = Assert.Throws<ArgumentException>(() => sampler.Generate(Prompts("a", "b", "c"), 2, SamplingSettings.Greedy(4), new Generator(1)));

        Assert.Contains("3 prompts x 2 samples = 6 rows exceed the sampler's MaxRows = 4", error.Message);
    }

    [Fact]
    public void A_prompt_longer_than_the_limit_is_rejected_with_the_setting_to_change()
    {
        var prompts = new PromptBatch(maxPrompts: 2, maxPromptTokens: 5);

        var error = Assert.Throws<ArgumentException>(() => prompts.Add("abcdef", Tokenizer));

        Assert.StartsWith("prompt of 7 tokens exceeds MaxPromptTokens = 5 (set Rft:MaxPromptTokens, or Rft:OverlongPrompts = Skip or TruncateLeft)", error.Message);
        Assert.Equal(0, prompts.Count);
    }

    [Fact]
    public void A_prompt_batch_starts_every_prompt_with_bos()
    {
        var prompts = Prompts("ab", "hhh");

        Assert.Equal(new[] { 1, 3, 4 }, prompts.Tokens(0).ToArray());
        Assert.Equal(4, prompts.LongestLength);
        prompts.Clear();
        Assert.Equal((0, 0), (prompts.Count, prompts.LongestLength));
    }

    /// <summary>Logits that predict each completion token, from one full forward over the rollout: [rows, T, V].</summary>
    private static Tensor FullForwardLogits(LlamaForCausalLM model, RolloutBatch rollout)
    {
        using var _ = no_grad();
        var logits = model.Forward(rollout.Sequences, rollout.PositionIds, rollout.AttentionMask);
        return logits.narrow(1, rollout.PromptLength - 1, rollout.CompletionLength);
    }

    private static PromptBatch Prompts(params string[] texts)
    {
        var batch = new PromptBatch(maxPrompts: 8, maxPromptTokens: 8);
        foreach (var text in texts) batch.Add(text, Tokenizer);
        return batch;
    }

    private static IntPtr[] Pointers(RolloutBatch rollout) =>
    [
        rollout.Sequences.storage<long>().data_ptr(), rollout.AttentionMask.storage<bool>().data_ptr(),
        rollout.PositionIds.storage<long>().data_ptr(), rollout.CompletionMask.storage<float>().data_ptr(),
        rollout.LogProbs.storage<float>().data_ptr(),
    ];
}
