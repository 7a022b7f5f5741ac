using Microsoft.Extensions.Options;
using Rft.Pipelines.Tests.Pipelines;
using Rft.Training;

namespace Rft.Pipelines.Tests;

/// <summary>
/// Overlong prompts, rewards of weight 0 and a constant learning rate in a generated trainer that runs
/// (<see cref="LongPromptEcho"/>): what each setting does to the steps, the metrics and the evaluation.
/// </summary>
public class LongPromptEchoTests
{
    /// <summary>One copy of each step's report (the trainer reuses its instance).</summary>
    private sealed record Step(Dictionary<string, double> Extra, double[] RewardMeans, int MaskedSamples, double LearningRate);

    private static async Task<List<Step>> Train(LongPromptEcho.Trainer trainer)
    {
        trainer.Setup();
        var steps = new List<Step>();
        await foreach (var report in trainer.TrainAsync(CancellationToken.None))
        {
            var extra = report.ExtraNames.Select((name, i) => (name, report.Extra[i])).ToDictionary(e => e.name, e => e.Item2);
            steps.Add(new Step(extra, report.RewardMeans.ToArray(), report.MaskedSamples, report.LearningRate));
        }

        return steps;
    }

    [Fact]
    public async Task Skip_replaces_long_records_counts_them_and_counts_long_held_out_records_as_not_solved()
    {
        var options = new LongPromptEchoOptions();
        using var trainer = new LongPromptEcho.Trainer(Options.Create(options));
        var steps = await Train(trainer);

        Assert.Equal(options.Steps, steps.Count);
        Assert.True(steps.Sum(s => s.Extra["prompts/skipped_overlong"]) > 0, "the long source is drawn about half the time: some prompts should have been skipped");
        Assert.All(steps, s => Assert.Equal(0.0, s.Extra["prompts/truncated"]));
        // Every long record was withdrawn from the curriculum and replaced: the steps trained on short records only,
        // and the arms' metrics are named after the enum's members.
        Assert.All(steps, s => Assert.Equal(1.0, s.Extra["sec/arm/Short/share"]));
        Assert.All(steps, s => Assert.Equal(0.0, s.Extra["sec/arm/Long/share"]));

        // Half the held-out prompts are too long: not rolled out, counted as not solved.
        var evaluation = await trainer.EvaluateAsync("rl", CancellationToken.None);
        Assert.Equal(8, evaluation.Problems);
        Assert.True(evaluation.Correct <= 4, $"{evaluation.Correct} of 8 solved, but 4 prompts were too long to roll out");
        var facts = trainer.RunFacts.ToDictionary(f => f.Key, f => f.Value);
        Assert.Equal(4, facts["eval_prompts_skipped_overlong"]);
        Assert.Equal(steps.Sum(s => s.Extra["prompts/skipped_overlong"]), facts["prompts_skipped_overlong"]);
    }

    [Fact]
    public async Task Rewards_of_weight_zero_are_reported_but_add_nothing_even_when_they_fail_or_are_set_at_run_time()
    {
        // Echoed has weight 1; Characters and Broken (always NaN) weight 0.
        var steps = await Train(new LongPromptEcho.Trainer(Options.Create(new LongPromptEchoOptions())));
        Assert.All(steps, s =>
        {
            Assert.Equal(0, s.MaskedSamples);                         // Broken's NaN masks nothing
            Assert.True(s.RewardMeans[1] > 0, "Characters is computed and its mean reported");
            Assert.True(double.IsNaN(s.RewardMeans[2]));              // Broken's mean: no valid value
            // The source's mean total is Echoed's mean alone.
            Assert.Equal(s.RewardMeans[0], s.Extra["source/Short/reward"], 6);
        });

        // --Rft:EchoedWeight=0: every reward is tracked, none rewarded; the totals are 0 while the means are still reported.
        var tracked = await Train(new LongPromptEcho.Trainer(Options.Create(new LongPromptEchoOptions { EchoedWeight = 0 })));
        Assert.All(tracked, s =>
        {
            Assert.Equal(0.0, s.Extra["source/Short/reward"]);
            Assert.True(s.RewardMeans[1] > 0);
        });
    }

    [Fact]
    public async Task A_min_learning_rate_ratio_of_one_trains_at_a_constant_rate()
    {
        var steps = await Train(new LongPromptEcho.Trainer(Options.Create(new LongPromptEchoOptions())));
        Assert.All(steps, s => Assert.Equal(1e-3, s.LearningRate, 12));
    }

    [Fact]
    public async Task Truncate_left_keeps_long_records_and_counts_them()
    {
        var steps = await Train(new LongPromptEcho.Trainer(Options.Create(new LongPromptEchoOptions { OverlongPrompts = OverlongPrompts.TruncateLeft })));

        Assert.All(steps, s => Assert.Equal(0.0, s.Extra["prompts/skipped_overlong"]));
        Assert.True(steps.Sum(s => s.Extra["prompts/truncated"]) > 0);
        Assert.Equal(steps.Sum(s => s.Extra["prompts/truncated"]), steps.Sum(s => s.Extra["sec/arm/Long/share"]) * 4, 6);
    }

    [Fact]
    public async Task Error_stops_at_a_long_prompt_naming_the_limit_and_the_options()
    {
        using var trainer = new LongPromptEcho.Trainer(Options.Create(new LongPromptEchoOptions { OverlongPrompts = OverlongPrompts.Error }));
        trainer.Setup();
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await trainer.EvaluateAsync("rl", CancellationToken.None));
        Assert.Contains("prompt of 12 tokens exceeds MaxPromptTokens = 6 (set Rft:MaxPromptTokens, or Rft:OverlongPrompts = Skip or TruncateLeft)", error.Message);
        Assert.DoesNotContain(trainer.RunFacts, f => f.Key.Contains("overlong", StringComparison.Ordinal));
    }
}
