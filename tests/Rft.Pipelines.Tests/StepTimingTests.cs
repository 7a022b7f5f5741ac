using Microsoft.Extensions.Options;
using Rft.Pipelines.Tests.Pipelines;
using Rft.Training;

namespace Rft.Pipelines.Tests;

/// <summary>The generated step times its phases and counts the tokens behind its throughputs.</summary>
public class StepTimingTests
{
    [Fact]
    public async Task Every_rl_step_times_rollout_scoring_old_log_probs_reference_and_update_and_counts_its_tokens()
    {
        var options = new KlEchoOptions { Steps = 2, SftMaxSteps = 1 };
        using var trainer = new KlEcho.Trainer(Options.Create(options), new KlEcho());
        trainer.Setup();
        foreach (var _ in trainer.WarmUp(CancellationToken.None)) { }

        int rows = options.PromptsPerStep * options.GroupSize;
        int steps = 0;
        await foreach (var report in trainer.TrainAsync(CancellationToken.None))
        {
            steps++;
            foreach (var phase in Enum.GetValues<StepPhase>())
                Assert.True(report.PhaseSeconds(phase) > 0, $"step {report.Step}: {phase} took {report.PhaseSeconds(phase)} s");
            double phases = Enum.GetValues<StepPhase>().Sum(report.PhaseSeconds);
            Assert.True(phases <= report.Seconds, $"the phases ({phases} s) cannot take longer than the step ({report.Seconds} s)");

            // Generated tokens are the completions' lengths; the update covers them and the prompts (each "d:" plus BOS).
            Assert.Equal(report.MeanCompletionLength * rows, report.RolloutTokens, 6);
            Assert.Equal(report.RolloutTokens + rows * 3L, report.UpdateTokens);
            Assert.Equal(report.RolloutTokens / report.PhaseSeconds(StepPhase.Rollout), report.RolloutTokensPerSecond, 6);
        }

        Assert.Equal(2, steps);
    }
}
