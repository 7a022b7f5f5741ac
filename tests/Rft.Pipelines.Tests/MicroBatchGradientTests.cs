using Microsoft.Extensions.Options;
using Rft.Pipelines.Tests.Pipelines.Update;
using Rft.Training;
using static TorchSharp.torch;

namespace Rft.Pipelines.Tests;

/// <summary>
/// Micro-batches change how an update is computed, never what: for every estimator and every aggregation mode, the
/// gradient one update applies (observed at the optimizer step, before clipping) is the same whether the 12 rows of a
/// rollout run as one batch or in micro-batches of 1, 3 or 4 rows; the same for the supervised warm-up and the SFT term.
/// Each run is a fresh trainer with the same seed, so rollouts and scores are identical.
/// </summary>
[Collection(ReferenceCounterCollection.Name)] // its KL pipelines build reference policies
public class MicroBatchGradientTests
{
    private const double Tolerance = 1e-5;
    private static readonly int[] MicroBatchSizes = [1, 3, 4];

    public static TheoryData<string, AggregationMode> EstimatorsAndModes()
    {
        var data = new TheoryData<string, AggregationMode>();
        foreach (var estimator in new[] { "Grpo", "DrGrpo", "Rloo", "ReinforcePlusPlus", "ReinforcePlusPlusBaseline", "Gae" })
        {
            foreach (var mode in Enum.GetValues<AggregationMode>()) data.Add(estimator, mode);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EstimatorsAndModes))]
    public async Task An_update_in_micro_batches_applies_the_full_batch_gradient(string estimator, AggregationMode mode)
    {
        var full = await UpdateGradients(() => Create(estimator, mode, microBatchSize: 0), phase: TrainingPhase.Rl);
        Assert.True(full.Count >= 1 && full[0].Count > 0, "the full-batch update applied no gradient");
        Assert.True(Norm(full[0]) > 0, "the full-batch gradient is zero: the test would prove nothing");
        foreach (int size in MicroBatchSizes)
        {
            var micro = await UpdateGradients(() => Create(estimator, mode, size), phase: TrainingPhase.Rl);
            AssertSameGradients(full, micro, $"{estimator}, {mode}, micro-batches of {size}");
        }
    }

    [Fact]
    public async Task The_warm_up_and_the_sft_term_in_micro_batches_apply_the_full_batch_gradient()
    {
        foreach (var phase in new[] { TrainingPhase.Sft, TrainingPhase.Rl })
        {
            var full = await UpdateGradients(() => new SftUpdate.Trainer(Options.Create(new SftUpdateOptions { MicroBatchSize = 0 })), phase);
            Assert.True(Norm(full[0]) > 0, $"the {phase} gradient is zero");
            foreach (int size in MicroBatchSizes)
            {
                var micro = await UpdateGradients(() => new SftUpdate.Trainer(Options.Create(new SftUpdateOptions { MicroBatchSize = size })), phase);
                AssertSameGradients(full, micro, $"{phase}, micro-batches of {size}");
            }
        }
    }

    private static IPipelineTrainer Create(string estimator, AggregationMode mode, int microBatchSize) => estimator switch
    {
        "Grpo" => new GrpoUpdate.Trainer(Options.Create(new GrpoUpdateOptions { Aggregation = mode, MicroBatchSize = microBatchSize })),
        "DrGrpo" => new GrpoUpdate.Trainer(Options.Create(new GrpoUpdateOptions { Aggregation = mode, MicroBatchSize = microBatchSize, ScaleByStd = false })),
        "Rloo" => new RlooUpdate.Trainer(Options.Create(new RlooUpdateOptions { Aggregation = mode, MicroBatchSize = microBatchSize })),
        "ReinforcePlusPlus" => new ReinforceUpdate.Trainer(Options.Create(new ReinforceUpdateOptions { Aggregation = mode, MicroBatchSize = microBatchSize })),
        "ReinforcePlusPlusBaseline" => new ReinforceBaselineUpdate.Trainer(Options.Create(new ReinforceBaselineUpdateOptions { Aggregation = mode, MicroBatchSize = microBatchSize })),
        "Gae" => new GaeUpdate.Trainer(Options.Create(new GaeUpdateOptions { Aggregation = mode, MicroBatchSize = microBatchSize })),
        _ => throw new ArgumentOutOfRangeException(nameof(estimator)),
    };

    /// <summary>
    /// The gradients of each optimizer step of the first step of <paramref name="phase"/> (the policy's, then the value
    /// head's when there is one), copied to the CPU.
    /// </summary>
    private static async Task<List<List<Tensor>>> UpdateGradients(Func<IPipelineTrainer> create, TrainingPhase phase)
    {
        using var trainer = create();
        trainer.Setup();
        var steps = new List<List<Tensor>>();
        bool observing = phase == TrainingPhase.Sft;
        using (PolicyOptimizer.ObserveGradients(parameters =>
               {
                   if (!observing) return;
                   steps.Add(parameters.Select(p => (p.grad is null ? zeros_like(p).cpu() : p.grad.detach().cpu().clone()).DetachFromDisposeScope()).ToList());
               }))
        {
            foreach (var _ in trainer.WarmUp(CancellationToken.None))
            {
                if (phase == TrainingPhase.Sft) return steps;
            }

            observing = true;
            await foreach (var _ in trainer.TrainAsync(CancellationToken.None)) return steps;
        }

        return steps;
    }

    private static void AssertSameGradients(List<List<Tensor>> expected, List<List<Tensor>> actual, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int step = 0; step < expected.Count; step++)
        {
            Assert.Equal(expected[step].Count, actual[step].Count);
            for (int i = 0; i < expected[step].Count; i++)
            {
                double reference = expected[step][i].norm().item<float>(), difference = (expected[step][i] - actual[step][i]).norm().item<float>();
                Assert.True(difference <= Tolerance * Math.Max(reference, 1e-6),
                    $"{what}: optimizer step {step}, parameter {i}: |micro - full| = {difference:G3} against |full| = {reference:G3}");
            }
        }
    }

    private static double Norm(List<Tensor> gradients) => Math.Sqrt(gradients.Sum(g => g.square().sum().item<float>()));
}
