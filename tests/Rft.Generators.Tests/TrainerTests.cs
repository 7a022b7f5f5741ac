using Rft.Generators.Tests.Infrastructure;

namespace Rft.Generators.Tests;

/// <summary>
/// Dead-quantity elimination, read off the emitted trainer: what a pipeline does not declare, its
/// trainer never builds or computes.
/// </summary>
public class TrainerTests
{
    [Fact]
    public void Without_a_kl_penalty_the_trainer_never_builds_or_runs_a_reference_policy()
    {
        var trainer = GeneratorRun.Of(TestPipelines.Minimal).File(".Trainer.g.cs");

        Assert.DoesNotContain("FrozenReference", trainer, StringComparison.Ordinal);
        Assert.DoesNotContain("CreateFrozenCopy", trainer, StringComparison.Ordinal);
        Assert.DoesNotContain("_reference", trainer, StringComparison.Ordinal);
        Assert.DoesNotContain("KlEstimators", trainer, StringComparison.Ordinal);
        Assert.DoesNotContain("report.Kl", trainer, StringComparison.Ordinal);
        Assert.Contains("No KL term is declared: no reference policy is built or run.", trainer, StringComparison.Ordinal);
    }

    [Fact]
    public void With_a_kl_penalty_the_trainer_builds_the_reference_once_as_rl_starts_and_adds_the_term()
    {
        var trainer = GeneratorRun.Of(TestPipelines.Full).File(".Trainer.g.cs");

        Assert.Equal(1, Count(trainer, "global::Rft.Training.FrozenReference.Of(_policy, baseWeightsAreReference: false)"));
        int trainStart = trainer.IndexOf("TrainAsync(", StringComparison.Ordinal);
        int creation = trainer.IndexOf("FrozenReference.Of", StringComparison.Ordinal);
        int setup = trainer.IndexOf("public void Setup()", StringComparison.Ordinal);
        Assert.True(creation > trainStart && trainStart > setup, "The reference must be built when RL starts (after the warm-up), not in Setup.");
        // Once per rollout, micro-batched and without gradients; each micro-batch's loss reads its rows.
        Assert.Equal(1, Count(trainer, "var refLogProbs = _reference!.LogProbs(sequences, _options.Temperature, _options.MicroBatchSize);"));
        Assert.Contains("{ RefLogProbs = refLogProbs }", trainer, StringComparison.Ordinal);
        Assert.Contains("global::Rft.Algorithms.KlEstimators.Estimate(logProbs, micro.RefLogProbs!, _options.KlEstimator)", trainer, StringComparison.Ordinal);
        Assert.Contains("loss = loss + _options.KlBeta * global::Rft.Algorithms.LossAggregation.Aggregate(klTokens, micro.Mask, aggregation, scale);", trainer, StringComparison.Ordinal);
        Assert.Contains("_metrics.Add(global::Rft.Training.UpdateMetric.Kl,", trainer, StringComparison.Ordinal);
        Assert.Contains("_reference?.Dispose();", trainer, StringComparison.Ordinal);
    }

    [Fact]
    public void Entropy_is_computed_only_with_an_entropy_bonus()
    {
        var without = GeneratorRun.Of(TestPipelines.Minimal).File(".Trainer.g.cs");
        var with = GeneratorRun.Of(TestPipelines.Full).File(".Trainer.g.cs");

        Assert.Contains("withEntropy: false", without, StringComparison.Ordinal);
        Assert.DoesNotContain("withEntropy: true", without, StringComparison.Ordinal);
        Assert.DoesNotContain("EntropyCoefficient", without, StringComparison.Ordinal);
        Assert.Contains("PolicyForward.LogProbs(_policy, micro.Rows, _options.Temperature, withEntropy: true)", with, StringComparison.Ordinal);
        Assert.Contains("loss = loss - _options.EntropyCoefficient * global::Rft.Algorithms.LossAggregation.Aggregate(entropy!, micro.Mask, aggregation, scale);", with, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_demonstration_there_is_no_warm_up()
    {
        var trainer = GeneratorRun.Of(TestPipelines.Minimal).File(".Trainer.g.cs");

        Assert.Contains("public bool HasWarmUp => false;", trainer, StringComparison.Ordinal);
        Assert.DoesNotContain("SupervisedBatch", trainer, StringComparison.Ordinal);
        Assert.DoesNotContain("_validation", trainer, StringComparison.Ordinal);
    }

    [Fact]
    public void Async_instance_rewards_are_awaited_while_scoring_and_take_the_pipeline_from_the_constructor()
    {
        var trainer = GeneratorRun.Of(TestPipelines.Full).File(".Trainer.g.cs");

        Assert.Contains("public Trainer(global::Microsoft.Extensions.Options.IOptions<global::Samples.Full.QuizOptions> options, global::Samples.Full.Quiz pipeline)", trainer, StringComparison.Ordinal);
        Assert.Contains("await ScoreAsync(rollout.Rows);", trainer, StringComparison.Ordinal);
        Assert.Contains(": await _pipeline.Exact(record, completion);", trainer, StringComparison.Ordinal);
        Assert.Contains(": (float)global::Samples.Full.Quiz.Brief(record.Category, completion);", trainer, StringComparison.Ordinal);
        // With a timeout, the instance reward reaches the pipeline through the static lambda's state.
        Assert.Contains("? await global::Rft.Training.RewardTimeouts.RunAsync(static (s, cancel) => s.Trainer._pipeline.Exact(s.Record, s.Completion), (Trainer: this, Record: record, Completion: completion), _options.ExactTimeoutSeconds, \"Exact\")", trainer, StringComparison.Ordinal);
        Assert.Contains("score.IsCompletedSuccessfully ? score.Result : score.AsTask().GetAwaiter().GetResult()", trainer, StringComparison.Ordinal);
    }

    private static int Count(string text, string value)
    {
        int count = 0;
        for (int at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
