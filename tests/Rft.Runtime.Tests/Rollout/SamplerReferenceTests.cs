using Rft.Models;
using Rft.Models.Lora;
using Rft.Rollout;
using Rft.Runtime.Tests.Models;
using Rft.Text;
using static Rft.Runtime.Tests.Models.TensorEquality;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Rollout;

/// <summary>
/// The sampler decodes on native handles so that a token allocates nothing managed. These tests hold it to the managed
/// decoding loop it replaced (written out below with the public model API, as the sampler was before): for every model
/// shape the loaders produce and every sampling mode, the same tokens and the same behaviour log-probs, bit for bit, so
/// seeded rollouts, and the runs built on them, do not change; also when the rows are decoded as several streams.
/// </summary>
public sealed class SamplerReferenceTests
{
    private static readonly CharTokenizer Tokenizer = TinyModels.Tokenizer();   // a..h = ids 3..10

    public static TheoryData<string, double, double> Cases => new()
    {
        { "gqa", 1.0, 1.0 },
        { "gqa", 0.0, 1.0 },
        { "gqa", 0.7, 0.9 },
        { "tied", 1.3, 1.0 },
        { "qkv-bias+window", 1.0, 1.0 },
        { "lora", 1.0, 0.95 },
        { "bf16", 1.0, 1.0 },
        { "padded-vocabulary", 1.0, 1.0 },
        { "dynamic-rope", 1.0, 1.0 },
        { "preset-nano", 1.0, 1.0 },
        { "preset-tiny", 1.0, 1.0 },
        { "preset-small", 1.0, 1.0 },
        { "stories260K", 1.0, 1.0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sampled_tokens_and_log_probs_are_those_of_the_managed_decoding_loop_bit_for_bit(string shape, double temperature, double topP)
    {
        using var scope = NewDisposeScope();
        using var model = Model(shape);
        const int newTokens = 9;
        // 32 rows of left-padded prompts of 1 to 7 characters: as many rows as the speed bench decodes.
        var texts = Enumerable.Range(0, 32).Select(i => new string(Enumerable.Range(0, 1 + i * 5 % 7).Select(j => (char)('a' + (i + 3 * j) % 8)).ToArray())).ToArray();
        var settings = new SamplingSettings(newTokens, temperature, topP);
        using var sampler = new Sampler(model, Tokenizer, maxRows: 32, maxPromptTokens: 8, maxNewTokens: newTokens);
        var prompts = new PromptBatch(maxPrompts: 32, maxPromptTokens: 8);
        foreach (var text in texts) prompts.Add(text, Tokenizer);
        var (tokens, logProbs) = ManagedLoop(model, texts, settings, new Generator(21));

        // One stream, and the rows split in two (16 rows each, as the speed bench's rollout on two threads) and in three
        // (10, 11 and 11 rows) decoded at once (DecodeStreams). The matrix library may round a product over 10 or 11 rows
        // differently from one over 32 in the last bit: three streams are held to the same tokens and log-probs within 1e-6.
        foreach (int streams in new[] { 1, 2, 3 })
        {
            sampler.StreamsOverride = streams;
            var rollout = sampler.Generate(prompts, samplesPerPrompt: 1, settings, new Generator(21));
            Assert.Equal(tokens.shape[1], rollout.CompletionLength);
            Assert.True(Same(tokens, rollout.Sequences.narrow(1, rollout.PromptLength, rollout.CompletionLength)), $"{shape}, {streams} streams: tokens differ");
            bool same = streams < 3 ? Same(logProbs, rollout.LogProbs) : logProbs.allclose(rollout.LogProbs, rtol: 0, atol: 1e-6);
            Assert.True(same, $"{shape}, {streams} streams: log-probs differ by up to {(logProbs - rollout.LogProbs).abs().max().item<float>()}");
        }
    }

    /// <summary>The decoding loop as it was written with managed tensors: prefill, then ForwardCached token after token.</summary>
    private static (Tensor Tokens, Tensor LogProbs) ManagedLoop(LlamaForCausalLM model, string[] texts, SamplingSettings settings, Generator generator)
    {
        using var _ = no_grad();
        int rows = texts.Length, p = texts.Max(t => t.Length) + 1, t = settings.MaxNewTokens;
        var ids = new long[rows * p];
        var real = new bool[rows * p];
        var positions = new long[rows * p];
        for (int r = 0; r < rows; r++)
        {
            var row = new[] { (long)Tokenizer.BosId }.Concat(texts[r].Select(c => (long)(c - 'a' + 3))).ToArray();
            int pad = p - row.Length;
            for (int j = 0; j < row.Length; j++)
            {
                ids[r * p + pad + j] = row[j];
                real[r * p + pad + j] = true;
                positions[r * p + pad + j] = j;
            }
        }

        using var cache = new KvCache(model.Config, rows, p + t, dtype: model.LmHeadWeight.dtype);
        var promptPositions = tensor(positions, [rows, p]);
        cache.AttentionMask.narrow(1, 0, p).copy_(tensor(real, [rows, p]));
        var lastHidden = model.ForwardCachedHidden(tensor(ids, [rows, p]), promptPositions, cache, 0).narrow(1, p - 1, 1);
        var logits = nn.functional.linear(lastHidden, model.OutputWeight).view(rows, -1);
        var next = promptPositions.narrow(1, p - 1, 1) + 1;
        var tokens = zeros([rows, t], ScalarType.Int64);
        var alive = zeros([rows, t], ScalarType.Float32);
        var logProbs = zeros([rows, t], ScalarType.Float32);
        var finished = zeros([rows, 1], ScalarType.Bool);
        int steps = 0;
        while (steps < t)
        {
            int s = steps;
            if (s > 0)
            {
                cache.AttentionMask.narrow(1, p + s - 1, 1).copy_(alive.narrow(1, s - 1, 1));
                logits = model.ForwardCached(tokens.narrow(1, s - 1, 1), next + (s - 1), cache, p + s - 1).view(rows, -1);
            }

            var (token, logProb) = Sample(logits, settings, generator);
            alive.narrow(1, s, 1).copy_(finished.logical_not());
            tokens.narrow(1, s, 1).copy_(token.masked_fill_(finished, Tokenizer.PadId));
            logProbs.narrow(1, s, 1).copy_(logProb.masked_fill_(finished, 0));
            finished.logical_or_(token.eq(Tokenizer.EosId));
            steps++;
            if (steps < t && finished.all().item<bool>()) break;
        }

        return (tokens.narrow(1, 0, steps), logProbs.narrow(1, 0, steps));
    }

    private static (Tensor Token, Tensor LogProb) Sample(Tensor logits, SamplingSettings settings, Generator generator)
    {
        if (logits.dtype != ScalarType.Float32) logits = logits.to(ScalarType.Float32);
        if (settings.Temperature == 0)
        {
            var greedy = logits.argmax(-1, keepdim: true);
            return (greedy, logits.log_softmax(-1).gather(1, greedy));
        }

        var logp = (settings.Temperature == 1 ? logits : logits / settings.Temperature).log_softmax(-1);
        var probs = logp.exp();
        Tensor token;
        if (settings.TopP < 1)
        {
            var (sorted, order) = probs.sort(-1, descending: true, stable: true);
            sorted.masked_fill_((sorted.cumsum(-1) - sorted).ge(settings.TopP), 0);
            token = order.gather(1, InverseCdf(sorted, generator));
        }
        else
        {
            token = InverseCdf(probs, generator);
        }

        return (token, logp.gather(1, token));
    }

    // Inverse transform sampling: u ~ U[0, 1 - 2^-23) per row times the row's mass (so below it); the first token whose
    // cumulative mass exceeds that.
    private static Tensor InverseCdf(Tensor probs, Generator generator)
    {
        var cumulative = probs.cumsum(-1);
        var total = cumulative.narrow(1, probs.shape[1] - 1, 1);
        var u = empty_like(total).uniform_(0, 1 - 1.0 / (1 << 23), generator);
        return searchsorted(cumulative, u * total, right: true);
    }

    private static LlamaForCausalLM Model(string shape)
    {
        var config = TinyModels.Config();
        switch (shape)
        {
            case "tied":
                return LlamaForCausalLM.Create(TinyModels.Config(tied: true), seed: 2);
            case "qkv-bias+window":
                // A window of 3 positions on the second layer: decoding soon slides past the prompt.
                var biased = LlamaForCausalLM.Create(config with { QkvBias = true, SlidingWindow = 3, MaxWindowLayers = 1 }, seed: 3);
                using (no_grad())
                {
                    foreach (var (_, parameter) in biased.named_parameters().Where(p => p.name.EndsWith("bias", StringComparison.Ordinal)))
                        parameter.normal_(0, 0.1);
                }

                return biased;
            case "lora":
                var adapted = LlamaForCausalLM.Create(config, seed: 4);
                LoraAdapters.Apply(adapted, new LoraSettings(4, 8, LoraSettings.ValidTargets), seed: 5);
                using (no_grad())
                {
                    // B starts at zero, where an adapter changes nothing: make every adapter count.
                    foreach (var (_, parameter) in adapted.named_parameters().Where(p => p.name.Contains("lora_B", StringComparison.Ordinal)))
                        parameter.normal_(0, 0.1);
                }

                return adapted;
            case "bf16":
                return LlamaForCausalLM.Create(config, seed: 6).MoveTo(CPU, ScalarType.BFloat16);
            case "padded-vocabulary":
                // Embedding rows beyond the tokenizer's ids (as Qwen2.5's): logits over the active rows only.
                var padded = LlamaForCausalLM.Create(TinyModels.Config(vocabSize: 20), seed: 7);
                padded.ActiveVocabulary = 16;
                return padded;
            case "preset-nano" or "preset-tiny" or "preset-small":
                // The presets' widths (32, 128, 256): decoding stacks q, k and v there, which must not change a bit.
                return LlamaForCausalLM.Create(ModelPresets.Get(shape["preset-".Length..], 16, 64) with { NumLayers = 2 }, seed: 9);
            case "stories260K":
                // llama2.c's 260K shape, the speed bench's "tiny": width 64, 8 heads, 4 key/value heads, MLP 172.
                return LlamaForCausalLM.Create(new LlamaConfig(16, HiddenSize: 64, IntermediateSize: 172, NumLayers: 2, NumHeads: 8, NumKvHeads: 4, MaxPositions: 64), seed: 10);
            case "dynamic-rope":
                // Dynamic NTK scaling past an original context of 8: the rollout (up to 17 positions) outgrows it, so the
                // rotary tables depend on the batch and decoding takes the managed path.
                return LlamaForCausalLM.Create(config with { RopeScaling = new RopeScaling(RopeScalingType.Dynamic, 2, OriginalMaxPositions: 8) }, seed: 8);
            default:
                return LlamaForCausalLM.Create(config, seed: 1);
        }
    }
}
