using Microsoft.Extensions.Options;
using Rft.Pipelines.Tests.Pipelines;
using Rft.Training;

namespace Rft.Pipelines.Tests;

/// <summary>Trains small pipelines compiled by the real generator.</summary>
public class PipelineTests
{
    private static async Task<List<(double Reward, double Accuracy)>> Train(IPipelineTrainer trainer)
    {
        var curve = new List<(double, double)>();
        trainer.Setup();
        if (trainer.HasWarmUp)
        {
            foreach (var _ in trainer.WarmUp(CancellationToken.None)) { }
        }

        await foreach (var report in trainer.TrainAsync(CancellationToken.None))
            curve.Add((report.RewardMeans[0], report.Accuracy));
        return curve;
    }

    [Fact]
    public async Task Grpo_raises_the_reward_of_a_tiny_policy_within_a_few_dozen_steps()
    {
        var options = new EchoDigitOptions { RunDirectory = Path.GetTempPath() };
        using var trainer = new EchoDigit.Trainer(Options.Create(options));
        var curve = await Train(trainer);

        Assert.Equal(options.Steps, curve.Count);
        double first = curve.Take(10).Average(c => c.Reward);
        double last = curve.Skip(curve.Count - 10).Average(c => c.Reward);
        Assert.True(last >= first + 0.25, $"mean reward rose only from {first:F3} (first 10 steps) to {last:F3} (last 10 steps)");

        var evaluation = await trainer.EvaluateAsync("rl", CancellationToken.None);
        Assert.True(evaluation.Accuracy >= 0.5, $"greedy held-out accuracy after RL is {evaluation.Accuracy:F2}");
    }

    [Fact]
    public async Task A_pipeline_without_a_kl_term_never_builds_a_reference_policy_and_one_with_it_does()
    {
        long before = ReferencePolicy.Created;
        using (var trainer = new EchoDigit.Trainer(Options.Create(new EchoDigitOptions { Steps = 2 })))
        {
            await Train(trainer);
        }

        Assert.Equal(before, ReferencePolicy.Created);

        using (var trainer = new KlEcho.Trainer(Options.Create(new KlEchoOptions()), new KlEcho()))
        {
            var curve = await Train(trainer);
            Assert.Equal(3, curve.Count);
        }

        Assert.Equal(before + 1, ReferencePolicy.Created);
    }
}
