using Microsoft.Extensions.Options;
using Rft.Models.Formats;
using Rft.Pipelines.Tests.Pipelines;
using Rft.Pipelines.Tests.Pipelines.OffPolicy;
using Rft.Training;
using static TorchSharp.torch;

namespace Rft.Pipelines.Tests;

/// <summary>Replay, ReMix, RAFT, online DPO and logged rollouts, trained end to end by generated trainers.</summary>
[Collection(ReferenceCounterCollection.Name)]
public class OffPolicyPipelineTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Remix_replays_stale_rows_then_reincarnates_the_reference_exactly_at_its_step()
    {
        var options = new RemixEchoOptions();
        long before = ReferencePolicy.Created;
        using var trainer = new RemixEcho.Trainer(Options.Create(options));
        trainer.Setup();
        var steps = new List<(double Replayed, double KlToBase, double OnPolicy, double Staleness, int OptimizerSteps, long References)>();
        await foreach (var report in trainer.TrainAsync(CancellationToken.None))
        {
            steps.Add((Metric(report, "replay/replayed_rows"), Metric(report, "remix/kl_base"), Metric(report, "remix/on_policy"),
                Metric(report, "replay/mean_staleness"), report.OptimizerSteps, ReferencePolicy.Created - before));
        }

        Assert.Equal(6, steps.Count);
        // Before reincarnation (steps 1-3): replayed rows from step 2 on, at most MaxStaleness = 2 steps old, two optimizer steps each.
        Assert.Equal(0, steps[0].Replayed);
        Assert.Equal(32, steps[1].Replayed);   // N (1 - 0.5) / 0.5 rows, as many as the fresh ones
        Assert.InRange(steps[2].Staleness, 1, 2);
        Assert.All(steps.Take(3), s => Assert.Equal(2, s.OptimizerSteps));
        Assert.All(steps.Take(3), s => Assert.Equal(0, s.OnPolicy));
        Assert.True(steps[2].KlToBase > 0, $"the policy never moved from the base: KL {steps[2].KlToBase}");
        Assert.All(steps.Take(3), s => Assert.Equal(1, s.References));

        // At step 4 exactly: a second reference, a copy of the policy, so the policy is at KL 0 from its base; no replay after.
        Assert.Equal(2, steps[3].References);
        Assert.Equal(0.0, steps[3].KlToBase);
        Assert.All(steps.Skip(3), s => Assert.Equal(1, s.OnPolicy));
        Assert.All(steps.Skip(3), s => Assert.Equal(0, s.Replayed));
        Assert.All(steps.Skip(3), s => Assert.Equal(options.MiniBatches, s.OptimizerSteps));
        Assert.True(steps[4].KlToBase > 0, "the policy did not move from the reincarnated base");
    }

    [Fact]
    public async Task Truncated_importance_weights_correct_replayed_rows_and_stay_below_their_cap()
    {
        var options = new TisEchoOptions();
        using var trainer = new TisEcho.Trainer(Options.Create(options));
        trainer.Setup();
        var steps = new List<(double Replayed, double Mean, double Truncated)>();
        await foreach (var report in trainer.TrainAsync(CancellationToken.None))
            steps.Add((Metric(report, "replay/replayed_rows"), Metric(report, "replay/is_weight_mean"), Metric(report, "replay/is_truncated_share")));

        // Step 1 has no replayed rows: every weight is the fresh rows' pi_old / pi_behaviour, 1 up to rounding.
        Assert.Equal(0, steps[0].Replayed);
        Assert.Equal(1.0, steps[0].Mean, 4);
        Assert.Equal(0.0, steps[0].Truncated);
        // Later steps replay rows that older policies sampled: their weights move away from 1, and none passes the cap.
        Assert.All(steps.Skip(1), s => Assert.True(s.Replayed > 0));
        Assert.Contains(steps.Skip(1), s => Math.Abs(s.Mean - 1.0) > 1e-3);
        Assert.All(steps.Skip(1), s => Assert.InRange(s.Mean, 0.0, options.ReplayTruncationCap));
        Assert.All(steps.Skip(1), s => Assert.InRange(s.Truncated, 0.0, 1.0));
    }

    [Fact]
    public async Task Raft_raises_the_reward_of_a_tiny_policy()
    {
        var (first, last, accuracy) = await Learn(new RaftEcho.Trainer(Options.Create(new RaftEchoOptions())), "raft/kept");

        Assert.True(last >= first + 0.25, $"RAFT's mean reward rose only from {first:F3} (first 5 steps) to {last:F3} (last 5 steps)");
        Assert.True(accuracy >= 0.5, $"greedy held-out accuracy after RAFT is {accuracy:F2}");
    }

    [Fact]
    public async Task Online_dpo_raises_the_reward_of_a_tiny_policy()
    {
        long before = ReferencePolicy.Created;
        var (first, last, accuracy) = await Learn(new DpoEcho.Trainer(Options.Create(new DpoEchoOptions())), "dpo/pairs");

        Assert.Equal(before + 1, ReferencePolicy.Created); // DPO's frozen reference, with no KL term declared
        Assert.True(last >= first + 0.25, $"online DPO's mean reward rose only from {first:F3} (first 5 steps) to {last:F3} (last 5 steps)");
        Assert.True(accuracy >= 0.5, $"greedy held-out accuracy after online DPO is {accuracy:F2}");
    }

    [Fact]
    public async Task Topr_learns_from_fresh_and_replayed_rows()
    {
        var (first, last, _) = await Learn(new ToprReplayEcho.Trainer(Options.Create(new ToprReplayEchoOptions())), "replay/replayed_rows");

        Assert.True(last >= first + 0.2, $"TOPR with replay: the mean reward rose only from {first:F3} to {last:F3}");
    }

    [Fact]
    public async Task Dumped_rollouts_fed_back_offline_give_the_same_first_update()
    {
        var directory = Directory.CreateTempSubdirectory("rft-offline-");
        try
        {
            // One online step from a saved initial policy, its rollouts dumped.
            string initial = Path.Combine(directory.FullName, "initial"), online = Path.Combine(directory.FullName, "online");
            using (var trainer = new LoggedEcho.Trainer(Options.Create(new LoggedEchoOptions { DumpRollouts = true, RunDirectory = directory.FullName })))
            {
                trainer.Setup();
                trainer.SaveCheckpoint(initial);
                await foreach (var _ in trainer.TrainAsync(CancellationToken.None)) { }
                trainer.SaveCheckpoint(online);
            }

            string log = Path.Combine(directory.FullName, "rollouts.jsonl");
            Assert.Equal(16, File.ReadLines(log).Count());

            // The same first update from the log, without sampling, from the same initial weights.
            string offline = Path.Combine(directory.FullName, "offline");
            using (var trainer = new OfflineEcho.Trainer(Options.Create(new OfflineEchoOptions { PolicyPath = initial, OfflineRolloutsPath = log })))
            {
                trainer.Setup();
                await foreach (var _ in trainer.TrainAsync(CancellationToken.None)) { }
                trainer.SaveCheckpoint(offline);
            }

            var before = Weights(initial);
            var afterOnline = Weights(online);
            var afterOffline = Weights(offline);
            Assert.Equal(afterOnline.Keys.Order(), afterOffline.Keys.Order());
            double moved = 0, difference = 0;
            foreach (var (name, weight) in afterOnline)
            {
                moved = Math.Max(moved, MaxAbs(weight, before[name]));
                difference = Math.Max(difference, MaxAbs(weight, afterOffline[name]));
            }

            Assert.True(moved > 1e-4, $"the online update moved no weight (max change {moved})");
            Assert.True(difference <= 1e-6, $"the offline update differs from the online one by up to {difference}");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Raft_learns_from_another_systems_logged_completions_without_sampling()
    {
        // Each digit's group: the right answer and three wrong ones, with their rewards, as text.
        var directory = Directory.CreateTempSubdirectory("rft-offline-raft-");
        try
        {
            string log = Path.Combine(directory.FullName, "logged.jsonl");
            var lines = new List<string>();
            for (int digit = 0; digit < 10; digit++)
            {
                lines.Add($$"""{"prompt": "{{digit}}:", "completion": "{{digit}}", "reward": 1}""");
                for (int wrong = 1; wrong <= 3; wrong++)
                    lines.Add($$"""{"prompt": "{{digit}}:", "completion": "{{(digit + wrong) % 10}}", "reward": 0}""");
            }

            File.WriteAllLines(log, lines);
            using var trainer = new OfflineRaftEcho.Trainer(Options.Create(new OfflineRaftEchoOptions { OfflineRolloutsPath = log }));
            trainer.Setup();
            double before = (await trainer.EvaluateAsync("before", CancellationToken.None)).Accuracy;
            double kept = 0, read = 0;
            await foreach (var report in trainer.TrainAsync(CancellationToken.None))
            {
                kept += Metric(report, "raft/kept");
                read = Metric(report, "offline/groups_read");
            }

            double after = (await trainer.EvaluateAsync("after", CancellationToken.None)).Accuracy;
            Assert.Equal(30 * 10, read);                   // 30 steps of the file's 10 groups, passed over again each step
            Assert.Equal(30 * 10, kept);                   // the right completion of every group, every step
            Assert.True(after >= 0.9 && after > before + 0.5, $"greedy held-out accuracy went from {before:F2} to {after:F2}");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Trains and returns the mean reward of the first and last five steps and the held-out accuracy after.</summary>
    private async Task<(double First, double Last, double Accuracy)> Learn(IPipelineTrainer trainer, string metric)
    {
        using (trainer)
        {
            trainer.Setup();
            var rewards = new List<double>();
            double signal = 0;
            await foreach (var report in trainer.TrainAsync(CancellationToken.None))
            {
                rewards.Add(report.RewardMeans[0]);
                signal += Metric(report, metric);
                output.WriteLine($"step {report.Step}: reward {report.RewardMeans[0]:F3}, " + string.Join(", ",
                    Enumerable.Range(0, report.ExtraNames.Count).Where(i => report.ExtraNames[i].Contains('/') && double.IsFinite(report.Extra[i]) && !report.ExtraNames[i].StartsWith("source/", StringComparison.Ordinal))
                        .Select(i => $"{report.ExtraNames[i]} {report.Extra[i]:G3}")));
            }

            Assert.True(signal > 0, $"{metric} was 0 at every step: the objective never acted");
            var evaluation = await trainer.EvaluateAsync("rl", CancellationToken.None);
            return (rewards.Take(5).Average(), rewards.Skip(rewards.Count - 5).Average(), evaluation.Accuracy);
        }
    }

    private static double Metric(StepReport report, string name)
    {
        for (int i = 0; i < report.ExtraNames.Count; i++)
        {
            if (report.ExtraNames[i] == name) return report.Extra[i];
        }

        throw new KeyNotFoundException($"The report has no metric {name}: {string.Join(", ", report.ExtraNames)}");
    }

    private static Dictionary<string, float[]> Weights(string checkpoint)
    {
        using var file = SafetensorsFile.Open(Path.Combine(checkpoint, "model.safetensors"));
        var weights = new Dictionary<string, float[]>();
        foreach (string name in file.Entries.Keys)
        {
            using var scope = NewDisposeScope();
            weights[name] = file.Read(name, ScalarType.Float32).data<float>().ToArray();
        }

        return weights;
    }

    private static double MaxAbs(float[] a, float[] b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
