using Microsoft.Extensions.Options;
using Rft.Pipelines.Tests.Pipelines;
using Rft.Training;

namespace Rft.Pipelines.Tests;

/// <summary>The generated step times its phases and counts the tokens behind its throughputs.</summary>
public class StepTimingTests
{
    // A pipeline without a KL term (one with it would race PipelineTests' count of reference policies): no reference phase.
    [Fact]
    public async Task Every_rl_step_times_rollout_scoring_old_log_probs_and_update_and_counts_its_tokens()
    {
        var options = new EchoDigitOptions { Steps = 2, PromptsPerStep = 4 };
        using var trainer = new EchoDigit.Trainer(Options.Create(options));
        trainer.Setup();

        int rows = options.PromptsPerStep * options.GroupSize;
        int steps = 0;
        await foreach (var report in trainer.TrainAsync(CancellationToken.None))
        {
            steps++;
            foreach (var phase in new[] { StepPhase.Rollout, StepPhase.Score, StepPhase.OldLogProbs, StepPhase.Update })
                Assert.True(report.PhaseSeconds(phase) > 0, $"step {report.Step}: {phase} took {report.PhaseSeconds(phase)} s");
            Assert.True(double.IsNaN(report.PhaseSeconds(StepPhase.Reference)), "a pipeline without a reference policy reports no reference time");
            double phases = Enum.GetValues<StepPhase>().Where(p => p != StepPhase.Reference).Sum(report.PhaseSeconds);
            Assert.True(phases <= report.Seconds, $"the phases ({phases} s) cannot take longer than the step ({report.Seconds} s)");

            // Generated tokens are the completions' lengths; the update covers them and the prompts ("d:" plus BOS).
            Assert.Equal(report.MeanCompletionLength * rows, report.RolloutTokens, 6);
            Assert.Equal(report.RolloutTokens + rows * 3L, report.UpdateTokens);
            Assert.Equal(report.RolloutTokens / report.PhaseSeconds(StepPhase.Rollout), report.RolloutTokensPerSecond, 6);
        }

        Assert.Equal(2, steps);
    }
}
