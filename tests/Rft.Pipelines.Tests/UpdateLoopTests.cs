using Microsoft.Extensions.Options;
using Rft.Pipelines.Tests.Pipelines.Update;
using Rft.Training;

namespace Rft.Pipelines.Tests;

/// <summary>The RL update's loops in a real run: the clip acts once there are several updates per rollout, and nothing stale is reported.</summary>
public class UpdateLoopTests
{
    [Fact]
    public async Task With_one_update_per_rollout_the_ratio_is_one_and_with_several_the_clip_acts()
    {
        // One update per rollout: the old pass is skipped and each micro-batch's old log-probs are its own forward's, so the
        // ratio is exactly 1 and nothing is clipped.
        var single = await Reports(new GrpoUpdate.Trainer(Options.Create(new GrpoUpdateOptions { Steps = 3, LearningRate = 2e-2, MicroBatchSize = 3 })));
        Assert.All(single, r => Assert.Equal(1, r.OptimizerSteps));
        Assert.All(single, r => Assert.Equal(0.0, r.ClipFraction));
        Assert.All(single, r => Assert.Equal(0.0, r.ApproxKl));

        // Two epochs of four mini-batches: eight optimizer steps per rollout; from the second on the ratio moves and clips.
        var several = await Reports(new GrpoUpdate.Trainer(Options.Create(new GrpoUpdateOptions { Steps = 3, LearningRate = 2e-2, PpoEpochs = 2, MiniBatches = 4, MicroBatchSize = 2 })));
        // (A mini-batch without a token in the loss, its rows all stopped at once or masked, is skipped: no signal, no step.)
        Assert.All(several, r => Assert.InRange(r.OptimizerSteps, 1, 8));
        Assert.Contains(several, r => r.OptimizerSteps == 8);
        Assert.Contains(several, r => r.ClipFraction > 0);
        Assert.All(several, r => Assert.Equal(r.ClipFractionHigh + r.ClipFractionLow, r.ClipFraction, 12));
        Assert.Contains(several, r => r.ApproxKl > 1e-4);
    }

    [Fact]
    public async Task A_dynamic_sampling_step_whose_groups_were_all_flat_reports_no_stale_value()
    {
        SwitchableDynamic.Flat = false;
        using var trainer = new SwitchableDynamic.Trainer(Options.Create(new SwitchableDynamicOptions()));
        trainer.Setup();
        int step = 0;
        await foreach (var report in trainer.TrainAsync(CancellationToken.None))
        {
            step++;
            if (step == 1)
            {
                // A step with signal measures everything; the next steps are flat.
                Assert.True(report.OptimizerSteps > 0 && double.IsFinite(report.Loss) && double.IsFinite(report.Accuracy) && double.IsFinite(report.ClipFraction));
                Assert.Contains(report.Extra, double.IsFinite);
                SwitchableDynamic.Flat = true;
                continue;
            }

            Assert.Equal(0, report.OptimizerSteps);
            Assert.Equal(1.0, report.ZeroVarianceGroupShare);
            foreach (var (name, value) in new[] { ("loss", report.Loss), ("grad norm", report.GradNorm), ("accuracy", report.Accuracy), ("clip fraction", report.ClipFraction),
                         ("approx KL", report.ApproxKl), ("completion length", report.MeanCompletionLength), ("learning rate", report.LearningRate) })
                Assert.True(double.IsNaN(value), $"step {step}: {name} = {value} is left from an earlier step");
            Assert.All(report.RewardMeans, value => Assert.True(double.IsNaN(value)));
            for (int i = 0; i < report.ExtraNames.Count; i++)
            {
                if (report.ExtraNames[i].StartsWith("source/", StringComparison.Ordinal))
                    Assert.True(double.IsNaN(report.Extra[i]), $"step {step}: {report.ExtraNames[i]} = {report.Extra[i]} is left from an earlier step");
            }
        }

        SwitchableDynamic.Flat = false;
        Assert.Equal(4, step);
    }

    private static async Task<List<StepReport>> Reports(IPipelineTrainer trainer)
    {
        using (trainer)
        {
            trainer.Setup();
            var reports = new List<StepReport>();
            await foreach (var report in trainer.TrainAsync(CancellationToken.None))
            {
                reports.Add(new StepReport(report.Phase, report.RewardNames)
                {
                    OptimizerSteps = report.OptimizerSteps, ClipFraction = report.ClipFraction, ClipFractionHigh = report.ClipFractionHigh,
                    ClipFractionLow = report.ClipFractionLow, ApproxKl = report.ApproxKl, Loss = report.Loss,
                });
            }

            return reports;
        }
    }
}
