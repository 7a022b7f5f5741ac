using Rft.Algorithms;
using Rft.Models;
using Rft.Rollout;
using Rft.Training.Forward;
using Rft.Runtime.Tests.Models;
using Rft.Text;
using static Rft.Runtime.Tests.Models.TensorEquality;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Rollout;

public class RolloutAccumulatorTests
{
    private static readonly CharTokenizer Tokenizer = TinyModels.Tokenizer();

    [Fact]
    public void Accumulated_groups_of_rollouts_with_different_lengths_give_the_same_log_probs_as_the_originals()
    {
        using var scope = NewDisposeScope();
        var config = ModelPresets.Get("nano", Tokenizer.VocabSize, maxPositions: 32);
        using var model = LlamaForCausalLM.Create(config, seed: 5);
        using var sampler = new Sampler(model, Tokenizer, maxRows: 8, maxPromptTokens: 9, maxNewTokens: 8);
        using var accumulator = new RolloutAccumulator(maxRows: 6, maxPromptTokens: 9, maxNewTokens: 8, Tokenizer.PadId);
        var generator = new Generator(17);
        const int G = 2;

        // Rollout 1: long prompts, 8 new tokens; keep group 1. Rollout 2: short prompts, 3 new tokens; keep groups 0 and 2.
        var first = sampler.Generate(Prompts("abcdefgh", "hb"), G, new SamplingSettings(8, 1.0, 1.0), generator);
        var (p1, t1) = (first.PromptLength, first.CompletionLength);      // the sampler's batch object is reused by the next Generate
        var expected = new List<Expected>();
        Collect(model, first, [1], G, expected);
        Assert.Equal(0, accumulator.AddGroups(first, [1], G));

        var second = sampler.Generate(Prompts("c", "de", "fgh"), G, new SamplingSettings(3, 1.0, 1.0), generator);
        Assert.True(second.PromptLength < p1 && second.CompletionLength < t1, $"lengths ({p1}, {t1}) then ({second.PromptLength}, {second.CompletionLength})");
        Collect(model, second, [0, 2], G, expected);
        Assert.Equal(2, accumulator.AddGroups(second, [0, 2], G));

        var batch = accumulator.Batch;
        Assert.Equal((6, 3, G), (batch.Rows, accumulator.Groups, batch.SamplesPerPrompt));
        Assert.Equal((p1, t1), (batch.PromptLength, batch.CompletionLength));
        var (logProbs, _) = PolicyForward.LogProbs(model, SequenceRows.Of(batch), temperature: 1.0, withEntropy: false);

        for (int row = 0; row < batch.Rows; row++)
        {
            var e = expected[row];
            int t = (int)e.LogProbs.shape[0];
            var mask = batch.CompletionMask[row].narrow(0, 0, t);
            Assert.True(Same(mask, e.Mask), $"row {row}: completion mask");
            Assert.Equal(0f, batch.CompletionMask[row].narrow(0, t, batch.CompletionLength - t).sum().item<float>());
            var real = mask.to(ScalarType.Bool);
            Assert.True(logProbs[row].narrow(0, 0, t).masked_select(real).allclose(e.LogProbs.masked_select(real), rtol: 0, atol: 1e-5), $"row {row}: recomputed log-probs");
            Assert.True(Same(batch.LogProbs[row].narrow(0, 0, t), e.Behaviour), $"row {row}: behaviour log-probs");
            Assert.Equal(e.Tokens, batch.CompletionTokens(row).ToArray());
            Assert.Equal(e.Finished, batch.Finished(row));
            // Prompts stay right-aligned against the completion, so the last prompt token predicts the first completion token.
            var prompt = batch.Sequences[row].narrow(0, batch.PromptLength - e.Prompt.Length, e.Prompt.Length);
            Assert.Equal(e.Prompt, prompt.data<long>().ToArray());
        }

        accumulator.Clear();
        Assert.Equal(0, accumulator.Batch.Rows);
    }

    [Fact]
    public void Groups_that_do_not_fit_or_lie_outside_the_rollout_are_rejected()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 2);
        using var sampler = new Sampler(model, Tokenizer, maxRows: 8, maxPromptTokens: 8, maxNewTokens: 4);
        using var accumulator = new RolloutAccumulator(maxRows: 4, maxPromptTokens: 8, maxNewTokens: 4, Tokenizer.PadId);
        var rollout = sampler.Generate(Prompts("ab", "cd", "ef"), 2, SamplingSettings.Greedy(4), new Generator(1));
        Assert.Contains("outside", Assert.Throws<ArgumentException>(() => accumulator.AddGroups(rollout, [3], 2)).Message);
        Assert.Contains("do not fit", Assert.Throws<ArgumentException>(() => accumulator.AddGroups(rollout, [0, 1, 2], 2)).Message);
        accumulator.AddGroups(rollout, [2], 2);
        Assert.Contains("cannot join", Assert.Throws<ArgumentException>(() => accumulator.AddGroups(rollout, [0], 1)).Message);
    }

    [Fact]
    public void Informative_groups_are_those_whose_finite_scores_differ()
    {
        float[] scores = [1, 1, 1, /**/ 0, 1, 0, /**/ 0, 0, 0, /**/ 0.5f, float.NaN, 0.5f, /**/ 1, float.NaN, 0];
        var informative = new int[5];
        int count = RolloutAccumulator.FindInformativeGroups(scores, 3, informative);
        Assert.Equal([1, 4], informative.AsSpan(0, count).ToArray());
        Assert.Throws<ArgumentException>(() => RolloutAccumulator.FindInformativeGroups(scores.AsSpan(0, 14), 3, informative));
    }

    private sealed record Expected(long[] Prompt, Tensor LogProbs, Tensor Behaviour, Tensor Mask, int[] Tokens, bool Finished);

    // The source rows' own log-probs and copies of what the accumulator must reproduce, before the sampler overwrites them.
    private static void Collect(LlamaForCausalLM model, RolloutBatch rollout, int[] groups, int groupSize, List<Expected> expected)
    {
        var (logProbs, _) = PolicyForward.LogProbs(model, SequenceRows.Of(rollout), 1.0, withEntropy: false);
        foreach (int g in groups)
        {
            for (int r = g * groupSize; r < (g + 1) * groupSize; r++)
            {
                var attention = rollout.AttentionMask[r].narrow(0, 0, rollout.PromptLength);
                var prompt = rollout.Sequences[r].narrow(0, 0, rollout.PromptLength).masked_select(attention).data<long>().ToArray();
                expected.Add(new Expected(prompt, logProbs[r].clone(), rollout.LogProbs[r].clone(), rollout.CompletionMask[r].clone(),
                    rollout.CompletionTokens(r).ToArray(), rollout.Finished(r)));
            }
        }
    }

    private static PromptBatch Prompts(params string[] texts)
    {
        var batch = new PromptBatch(maxPrompts: 8, maxPromptTokens: 9);
        foreach (var text in texts) batch.Add(text, Tokenizer);
        return batch;
    }
}
