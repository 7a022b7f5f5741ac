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

    [Fact]
    public async Task Ppo_with_gae_a_value_head_kl_in_the_reward_and_a_user_term_runs_end_to_end()
    {
        long before = ReferencePolicy.Created;
        using var trainer = new PpoEcho.Trainer(Options.Create(new PpoEchoOptions()));
        var reports = new List<StepReport>();
        trainer.Setup();
        await foreach (var report in trainer.TrainAsync(CancellationToken.None))
        {
            reports.Add(new StepReport(report.Phase, report.RewardNames) { Loss = report.Loss, Kl = report.Kl, ClipFraction = report.ClipFraction });
        }

        Assert.Equal(3, reports.Count);
        Assert.All(reports, r => Assert.True(double.IsFinite(r.Loss), $"loss {r.Loss}"));
        // The KL is in the reward: measured (k1 of the behaviour policy to the reference) and finite.
        Assert.All(reports, r => Assert.True(double.IsFinite(r.Kl), $"kl {r.Kl}"));
        Assert.Equal(before + 1, ReferencePolicy.Created);
        Assert.True(double.IsFinite(PpoEcho.LastValueScale), "the user term never saw the values");
    }

    [Fact]
    public async Task Chord_mixes_sft_on_the_steps_demonstrations_and_teaches_the_echo_where_grpo_alone_has_not_yet()
    {
        // The same seed and steps, with mu held at 0: GRPO alone.
        double chord = await Accuracy(new ChordEchoOptions());
        double grpoAlone = await Accuracy(new ChordEchoOptions { SftTermWeight = 0, SftTermEndWeight = 0 });

        Assert.True(chord >= 0.9, $"greedy held-out accuracy after 20 CHORD steps is {chord:F2}");
        Assert.True(grpoAlone <= 0.5, $"GRPO alone reached {grpoAlone:F2} in 20 steps: the comparison shows nothing");

        static async Task<double> Accuracy(ChordEchoOptions options)
        {
            using var trainer = new ChordEcho.Trainer(Options.Create(options));
            var curve = await Train(trainer);
            Assert.Equal(options.Steps, curve.Count);
            Assert.False(trainer.HasWarmUp);
            return (await trainer.EvaluateAsync("rl", CancellationToken.None)).Accuracy;
        }
    }
}
