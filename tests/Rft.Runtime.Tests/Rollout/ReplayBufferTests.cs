using Rft.Models;
using Rft.Rollout;
using Rft.Runtime.Tests.Models;
using Rft.Text;
using Rft.Training.Forward;
using static Rft.Runtime.Tests.Models.TensorEquality;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Rollout;

/// <summary>The replay storage: capacity, staleness eviction, the on-policy share of a mix, and what a replayed row holds.</summary>
public sealed class ReplayBufferTests : IDisposable
{
    private static readonly CharTokenizer Tokenizer = TinyModels.Tokenizer();
    private const int G = 2;

    private readonly LlamaForCausalLM _model;
    private readonly Sampler _sampler;
    private readonly Generator _generator = new(11);

    public ReplayBufferTests()
    {
        _model = LlamaForCausalLM.Create(ModelPresets.Get("nano", Tokenizer.VocabSize, maxPositions: 32), seed: 3);
        _sampler = new Sampler(_model, Tokenizer, maxRows: 8, maxPromptTokens: 9, maxNewTokens: 6);
    }

    [Fact]
    public void A_full_storage_overwrites_its_oldest_rows_first()
    {
        using var scope = NewDisposeScope();
        using var buffer = new ReplayBuffer(capacity: 8, maxFreshRows: 4, maxReplayedRows: 8, maxPromptTokens: 9, maxNewTokens: 6, Tokenizer.PadId, CPU, seed: 1);
        for (int step = 1; step <= 3; step++) AddStep(buffer, step, "ab", "cde");

        Assert.Equal(8, buffer.Count);
        var versions = Enumerable.Range(0, 8).Select(buffer.VersionAt).Order().ToArray();
        Assert.Equal(new[] { 2, 2, 2, 2, 3, 3, 3, 3 }, versions);   // step 1's rows were overwritten by step 3's
    }

    [Fact]
    public void Rows_older_than_the_staleness_bound_are_evicted_and_never_replayed()
    {
        using var scope = NewDisposeScope();
        using var buffer = new ReplayBuffer(capacity: 64, maxFreshRows: 4, maxReplayedRows: 32, maxPromptTokens: 9, maxNewTokens: 6, Tokenizer.PadId, CPU, seed: 1);
        ReplayMix? mix = null;
        for (int step = 1; step <= 5; step++) mix = AddStep(buffer, step, "ab", "cde", onPolicyShare: 0.2, maxStaleness: 2);

        // At step 5 the rows of steps 1 and 2 are more than 2 steps old: evicted; steps 3 and 4 are replayed.
        Assert.Equal(4, buffer.EvictedStale);           // step 2's rows (step 1's went at step 4)
        Assert.Equal(12, buffer.Count);                 // steps 3, 4 and 5
        Assert.Equal(8, mix!.Replayed);                 // all that is left of the wanted 16
        Assert.InRange(mix.MeanStaleness, 1.0, 2.0);
        Assert.Equal(1.5, mix.MeanStaleness, 6);        // four rows of age 1, four of age 2
    }

    [Theory]
    [InlineData(1.0, 0)]
    [InlineData(0.5, 4)]
    [InlineData(0.25, 12)]
    public void A_mix_holds_the_on_policy_share_of_fresh_rows(double share, int replayed)
    {
        using var scope = NewDisposeScope();
        using var buffer = new ReplayBuffer(capacity: 64, maxFreshRows: 4, maxReplayedRows: 16, maxPromptTokens: 9, maxNewTokens: 6, Tokenizer.PadId, CPU, seed: 1);
        for (int step = 1; step <= 4; step++) AddStep(buffer, step, "ab", "cde");
        var mix = AddStep(buffer, 5, "ab", "cde", share, maxStaleness: 10);

        Assert.Equal(replayed, ReplayBuffer.ReplayedRows(4, share));
        Assert.Equal((4, replayed, 4 + replayed), (mix.Fresh, mix.Replayed, mix.Rows));
        Assert.Equal(4.0 / (4 + replayed), (double)mix.Fresh / mix.Rows, 6);
        Assert.Equal(mix.Rows, mix.Sequences.Rows);
        Assert.Equal(mix.Rows, mix.RowTokens.Length);
    }

    [Fact]
    public void A_replayed_row_keeps_its_tokens_behaviour_log_probs_and_advantages_in_any_window()
    {
        using var scope = NewDisposeScope();
        using var buffer = new ReplayBuffer(capacity: 16, maxFreshRows: 4, maxReplayedRows: 4, maxPromptTokens: 9, maxNewTokens: 6, Tokenizer.PadId, CPU, seed: 1);

        // Step 1: long prompts, up to 6 new tokens; its advantages are each row's index + 1 on its tokens.
        var first = Generate(6, "abcdefgh", "hb");
        var firstMask = first.CompletionMask.clone();
        var firstAdvantages = (arange(1, 5, ScalarType.Float32).unsqueeze(1) * firstMask).clone();
        var expected = PolicyForward.LogProbs(_model, SequenceRows.Of(first), 1.0, withEntropy: false).LogProbs.detach();
        var behaviour = first.LogProbs.clone();
        var tokens = Tokens(first);
        buffer.Add(first, firstMask, firstAdvantages, zeros(4), tokens, version: 1, signalOnly: false);

        // Step 2: short prompts and completions; every row of step 1 is replayed in step 2's wider-or-equal window.
        var second = Generate(2, "c", "d");
        buffer.Add(second, second.CompletionMask, zeros(4, second.CompletionLength), zeros(4), Tokens(second), version: 2, signalOnly: false);
        var mix = buffer.Mix(second, second.CompletionMask, zeros(4, second.CompletionLength), zeros(4), Tokens(second), step: 2, onPolicyShare: 0.5, maxStaleness: 1);

        Assert.Equal(4, mix.Replayed);
        var replayedLogProbs = PolicyForward.LogProbs(_model, mix.ReplayedSequences, 1.0, withEntropy: false).LogProbs;
        var replayedAdvantages = mix.Advantages.narrow(0, 4, 4);
        var replayedMask = mix.Mask.narrow(0, 4, 4);
        // The draw shuffles the rows: match each replayed row to its original by its advantage (the row index + 1).
        for (int r = 0; r < 4; r++)
        {
            int original = (int)replayedAdvantages[r].max().item<float>() - 1;
            var mask = firstMask[original];
            long t = mask.shape[0];
            Assert.True(Same(replayedMask[r].narrow(0, 0, t), mask), $"replayed row {r}: mask");
            Assert.True(Same(mix.ReplayedBehaviour[r].narrow(0, 0, t), behaviour[original]), $"replayed row {r}: behaviour log-probs");
            Assert.True(Same(replayedAdvantages[r].narrow(0, 0, t), firstAdvantages[original]), $"replayed row {r}: advantages");
            var real = mask.to(ScalarType.Bool);
            Assert.True(replayedLogProbs[r].narrow(0, 0, t).masked_select(real).allclose(expected[original].masked_select(real), rtol: 0, atol: 1e-5),
                $"replayed row {r}: the policy's log-probs of the stored row differ from the original's");
            Assert.Equal(tokens[original], mix.RowTokens[4 + r]);
        }
    }

    [Fact]
    public void Rows_without_an_advantage_are_not_stored_when_only_signal_is_kept()
    {
        using var scope = NewDisposeScope();
        using var buffer = new ReplayBuffer(capacity: 16, maxFreshRows: 4, maxReplayedRows: 4, maxPromptTokens: 9, maxNewTokens: 6, Tokenizer.PadId, CPU, seed: 1);
        var rollout = Generate(4, "ab", "cd");
        var advantages = tensor(new float[] { 1, -1, 0, 0 }).unsqueeze(1) * rollout.CompletionMask;
        buffer.Add(rollout, rollout.CompletionMask, advantages, zeros(4), Tokens(rollout), version: 1, signalOnly: true);

        Assert.Equal(2, buffer.Count);
        Assert.Equal(2, buffer.SkippedFlat);
    }

    [Fact]
    public void A_saved_state_restores_the_rows_and_the_draws()
    {
        using var scope = NewDisposeScope();
        using var original = new ReplayBuffer(capacity: 16, maxFreshRows: 4, maxReplayedRows: 8, maxPromptTokens: 9, maxNewTokens: 6, Tokenizer.PadId, CPU, seed: 9);
        for (int step = 1; step <= 3; step++) AddStep(original, step, "ab", "cde");
        byte[] state = original.SaveState();
        using var restored = new ReplayBuffer(capacity: 16, maxFreshRows: 4, maxReplayedRows: 8, maxPromptTokens: 9, maxNewTokens: 6, Tokenizer.PadId, CPU, seed: 123);
        restored.LoadState(state);

        var fresh = Generate(3, "f", "gh");
        var tokens = Tokens(fresh);
        original.Add(fresh, fresh.CompletionMask, fresh.CompletionMask, zeros(4), tokens, version: 4, signalOnly: false);
        var a = original.Mix(fresh, fresh.CompletionMask, fresh.CompletionMask, zeros(4), tokens, step: 4, onPolicyShare: 0.5, maxStaleness: 3);
        var (sequences, behaviour, replayed) = (a.Sequences.Sequences.clone(), a.Behaviour.clone(), a.Replayed);
        restored.Add(fresh, fresh.CompletionMask, fresh.CompletionMask, zeros(4), tokens, version: 4, signalOnly: false);
        var b = restored.Mix(fresh, fresh.CompletionMask, fresh.CompletionMask, zeros(4), tokens, step: 4, onPolicyShare: 0.5, maxStaleness: 3);

        Assert.Equal(replayed, b.Replayed);
        Assert.True(Same(sequences, b.Sequences.Sequences), "the restored buffer replayed other rows");
        Assert.True(Same(behaviour, b.Behaviour));
        var wrongShape = new ReplayBuffer(capacity: 8, maxFreshRows: 4, maxReplayedRows: 8, maxPromptTokens: 9, maxNewTokens: 6, Tokenizer.PadId, CPU, seed: 1);
        Assert.Contains("holds 16 rows", Assert.Throws<FormatException>(() => wrongShape.LoadState(state)).Message);
        wrongShape.Dispose();
    }

    // Samples a step's rollout of two prompts and adds it; then mixes.
    private ReplayMix AddStep(ReplayBuffer buffer, int step, string a, string b, double onPolicyShare = 0.5, int maxStaleness = 4)
    {
        var rollout = Generate(4, a, b);
        var tokens = Tokens(rollout);
        var advantages = ones(rollout.Rows, rollout.CompletionLength) * rollout.CompletionMask;
        buffer.Add(rollout, rollout.CompletionMask, advantages, zeros(rollout.Rows), tokens, step, signalOnly: false);
        return buffer.Mix(rollout, rollout.CompletionMask, advantages, zeros(rollout.Rows), tokens, step, onPolicyShare, maxStaleness);
    }

    private RolloutBatch Generate(int newTokens, params string[] prompts)
    {
        var batch = new PromptBatch(prompts.Length, 9);
        foreach (var prompt in prompts) batch.Add(prompt, Tokenizer);
        return _sampler.Generate(batch, G, new SamplingSettings(newTokens, 1.0, 1.0), _generator);
    }

    private static int[] Tokens(RolloutBatch rollout) => Enumerable.Range(0, rollout.Rows).Select(rollout.CompletionTokenCount).ToArray();

    public void Dispose()
    {
        _sampler.Dispose();
        _model.Dispose();
        _generator.Dispose();
    }
}
