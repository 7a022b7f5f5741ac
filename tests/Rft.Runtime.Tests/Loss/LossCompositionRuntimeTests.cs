using Rft.Algorithms;
using Rft.Models;
using Rft.Runtime.Tests.Models;
using Rft.Text;
using Rft.Training;
using Rft.Training.Forward;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Loss;

/// <summary>The runtime pieces that generated loss compositions call.</summary>
public class LossCompositionRuntimeTests
{
    private static readonly CharTokenizer Chars = new("0123456789+=");

    [Fact]
    public void Token_rewards_put_each_score_on_the_last_completion_token_and_drop_empty_rows()
    {
        using var scope = NewDisposeScope();
        var scores = tensor(new float[] { 2f, 5f, -1f });
        var mask = tensor(new float[] { 1, 1, 0, 1, 1, 1, 0, 0, 0 }, new long[] { 3, 3 });

        var rewards = TokenRewards.AtLastToken(scores, mask);

        Assert.Equal(new float[] { 0, 2, 0, 0, 0, 5, 0, 0, 0 }, rewards.data<float>().ToArray());
    }

    [Theory]
    [InlineData(1, 0.0)]      // CHORD starts at 0 ...
    [InlineData(3, 0.4)]      // ... rises linearly over the 5 warm-up steps (global step 2 of 5) ...
    [InlineData(6, 1.0)]      // ... peaks when the warm-up ends ...
    [InlineData(11, 0.55)]    // ... is halfway down the cosine after half the 10 decay steps ...
    [InlineData(16, 0.1)]     // ... and stays at the valley.
    [InlineData(100, 0.1)]
    public void Chord_mu_warms_up_linearly_then_decays_on_a_cosine_as_trinity_rft(int step, double expected)
    {
        Assert.Equal(expected, SftMixSchedule.Weight(SftSchedule.Chord, step, weight: 1.0, endWeight: 0.1, warmupSteps: 5, decaySteps: 10), 6);
    }

    [Fact]
    public void Constant_linear_and_cosine_schedules_go_from_weight_to_end_weight()
    {
        Assert.Equal(0.3, SftMixSchedule.Weight(SftSchedule.Constant, 50, 0.3, 0.0, 0, 10));
        Assert.Equal(1.0, SftMixSchedule.Weight(SftSchedule.Linear, 1, 1.0, 0.0, 0, 10), 9);
        Assert.Equal(0.5, SftMixSchedule.Weight(SftSchedule.Linear, 6, 1.0, 0.0, 0, 10), 9);
        Assert.Equal(0.0, SftMixSchedule.Weight(SftSchedule.Linear, 40, 1.0, 0.0, 0, 10), 9);
        Assert.Equal(1.0, SftMixSchedule.Weight(SftSchedule.Cosine, 1, 1.0, 0.2, 0, 10), 9);
        Assert.Equal(0.6, SftMixSchedule.Weight(SftSchedule.Cosine, 6, 1.0, 0.2, 0, 10), 9);
        Assert.Equal(0.2, SftMixSchedule.Weight(SftSchedule.Cosine, 11, 1.0, 0.2, 0, 10), 9);
    }

    [Fact]
    public void Supervised_token_loss_without_weights_is_the_cross_entropy_of_the_full_logits_and_with_them_weights_by_p_one_minus_p()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 5, vocabSize: Chars.VocabSize);
        using var batch = new SupervisedBatch(2, 10);
        batch.Add("1+2=", "3", Chars);
        batch.Add("4+4=", "8", Chars);
        var rows = batch.All();

        // The reference: the whole [R, L, V] log-softmax of the model's logits, the labels' entries, their masked mean.
        var logSoftmax = model.Forward(rows.InputIds, rows.PositionIds, rows.AttentionMask).log_softmax(-1);
        var labelLogProbs = logSoftmax.gather(-1, rows.Labels.unsqueeze(-1)).squeeze(-1);
        var crossEntropy = -(labelLogProbs * rows.LossMask).sum() / rows.LossMask.sum();
        var plain = SupervisedForward.Loss(model, rows, tokenWeight: false);
        Assert.True(plain.allclose(crossEntropy, rtol: 1e-5, atol: 1e-6), $"{plain.item<float>()} vs {crossEntropy.item<float>()}");
        Assert.Equal(rows.LossMask.sum().item<float>(), batch.TargetTokens());

        var logProbs = SupervisedForward.LabelLogProbs(model, rows);
        var p = logProbs.exp();
        var expected = -(logProbs * p * (1 - p) * rows.LossMask).sum() / rows.LossMask.sum();
        var weighted = SupervisedForward.Loss(model, rows, tokenWeight: true);
        Assert.True(weighted.allclose(expected, rtol: 1e-5, atol: 1e-7));

        // The weight is a constant: the gradient is that of the weighted log-likelihood, not of p (1 - p).
        weighted.backward();
        Assert.All(model.parameters(), parameter => Assert.NotNull(parameter.grad));
    }

    [Fact]
    public void The_value_head_reads_one_value_per_position_from_the_hidden_states()
    {
        using var scope = NewDisposeScope();
        using var head = ValueHead.Create(hiddenSize: 32, seed: 3);
        using var same = ValueHead.Create(hiddenSize: 32, seed: 3);
        var hidden = randn(new long[] { 2, 5, 32 }, generator: new TorchSharp.torch.Generator(1));

        var values = head.forward(hidden);

        Assert.Equal(new long[] { 2, 5 }, values.shape);
        Assert.True(values.allclose(same.forward(hidden)), "the same seed gives the same head");
        Assert.Equal(2, head.parameters().Count());
    }

    [Fact]
    public void A_step_view_member_that_was_not_computed_throws_naming_it()
    {
        using var scope = NewDisposeScope();
        var view = new StepView { LogProbs = zeros(2, 3) };
        Assert.Equal(new long[] { 2, 3 }, view.LogProbs.shape);

        var error = Assert.Throws<InvalidOperationException>(() => view.RefLogProbs);
        Assert.Contains("StepView.RefLogProbs was not computed", error.Message, StringComparison.Ordinal);

        view.Clear();
        Assert.Throws<InvalidOperationException>(() => view.LogProbs);
    }

    [Fact]
    public void A_loss_term_must_be_a_scalar()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(0, LossTerms.Scalar(ones(1), "T").dim());
        var error = Assert.Throws<InvalidOperationException>(() => LossTerms.Scalar(ones(2, 3), "Drift"));
        Assert.Contains("[LossTerm] 'Drift' returned a tensor of shape [2, 3]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_dsl_aggregation_mode_maps_to_the_runtime_mode_of_the_same_name()
    {
        foreach (var mode in Enum.GetValues<AggregationMode>())
            Assert.Equal(mode.ToString(), LossAggregationModes.Of(mode).ToString());
    }
}
