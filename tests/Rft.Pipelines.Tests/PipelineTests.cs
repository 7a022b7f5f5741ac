using Microsoft.Extensions.Options;
using Rft.Pipelines.Tests.Pipelines;
using Rft.Training;

namespace Rft.Pipelines.Tests;

/// <summary>Trains small pipelines compiled by the real generator.</summary>
[Collection(ReferenceCounterCollection.Name)]
public class PipelineTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output = output;

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
    public async Task A_prompt_of_chat_messages_trains_on_its_chatml_rendering_when_the_tokenizer_has_no_template()
    {
        var directory = Directory.CreateTempSubdirectory("rft-chat-");
        try
        {
            using var trainer = new ChatEcho.Trainer(Options.Create(new ChatEchoOptions()));
            var curve = await Train(trainer);
            Assert.Equal(2, curve.Count);
            Assert.Equal(4, (await trainer.EvaluateAsync("rl", CancellationToken.None)).Problems);

            // The character tokenizer was built from the rendered prompts: ChatML's markers and roles are in it.
            trainer.SaveCheckpoint(directory.FullName);
            string alphabet = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(directory.FullName, "rft_tokenizer.json")))!["alphabet"]!.GetValue<string>();
            foreach (char c in "<|>_imstarendyuE.") Assert.Contains(c, alphabet);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_self_evolving_curriculum_chooses_the_records_of_each_step_and_reports_its_arms()
    {
        var directory = Directory.CreateTempSubdirectory("rft-curriculum-");
        try
        {
            using var trainer = new CurriculumEcho.Trainer(Options.Create(new CurriculumEchoOptions()));
            trainer.Setup();
            StepReport? last = null;
            var drawnDigits = new HashSet<int>();
            await foreach (var report in trainer.TrainAsync(CancellationToken.None))
            {
                last = report;
                for (int i = 0; i < report.ExtraNames.Count; i++)
                {
                    if (report.ExtraNames[i].EndsWith("/key", StringComparison.Ordinal) && double.IsFinite(report.Extra[i])) drawnDigits.Add((int)report.Extra[i]);
                }
            }

            Assert.NotNull(last);
            var names = last!.ExtraNames.ToList();
            // Per-source shares (one per [Source]) come first and add up to 1; the curriculum's metrics follow.
            var shares = new[] { "OneDigit", "TwoDigits", "ThreeDigits" }.Select(s => last.Extra[names.IndexOf($"source/{s}/share")]).ToArray();
            Assert.Equal(1.0, shares.Where(double.IsFinite).Sum(), 6);
            Assert.Equal(3.0, last.Extra[names.IndexOf("sec/arms")]);
            Assert.Equal(new[] { 1, 2, 3 }, drawnDigits.Order());

            trainer.SaveCheckpoint(Path.Combine(directory.FullName, "checkpoint"));
            var state = File.ReadAllBytes(Path.Combine(directory.FullName, "checkpoint", "curriculum.msgpack"));
            Assert.NotEmpty(state);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_gsm8k_example_loads_renders_rolls_out_and_scores_the_shared_files_end_to_end()
    {
        var train = Rft.Runtime.Tests.SharedFiles.Find("data/gsm8k/train.jsonl", _output);
        var test = Rft.Runtime.Tests.SharedFiles.Find("data/gsm8k/test.jsonl", _output);
        if (train is null || test is null) return;

        // The example's own attributes, made small enough for a CPU test: the nano preset, 2 prompts x 2 completions.
        var options = new Gsm8k.Gsm8kOptions
        {
            TrainPath = train, EvalPath = test, PolicyPreset = "nano", Steps = 2, GroupSize = 2, PromptsPerStep = 2,
            MaxNewTokens = 8, EvalCount = 4,
        };
        Assert.Empty(options.Validate());
        using var trainer = new Gsm8k.Gsm8k.Trainer(Options.Create(options));
        var curve = await Train(trainer);

        Assert.Equal(2, curve.Count);
        Assert.All(curve, c => Assert.True(c.Reward is >= 0 and <= 1, $"reward {c.Reward}"));
        var facts = trainer.RunFacts.ToDictionary(f => f.Key, f => f.Value);
        Assert.Equal(7473, facts["Train_rows"]);
        Assert.Equal(0, facts["Train_skipped_lines"]);
        var evaluation = await trainer.EvaluateAsync("rl", CancellationToken.None);
        Assert.Equal(4, evaluation.Problems);
    }

    [Fact]
    public async Task Dynamic_sampling_drops_flat_groups_draws_more_and_stays_within_its_round_budget()
    {
        var options = new DapoEchoOptions();
        using var trainer = new DapoEcho.Trainer(Options.Create(options));
        trainer.Setup();
        var drawn = new List<double>();
        var dropped = new List<double>();
        await foreach (var report in trainer.TrainAsync(CancellationToken.None))
        {
            var names = report.ExtraNames.ToList();
            double prompts = report.Extra[names.IndexOf("dynamic/prompts_drawn")], rounds = report.Extra[names.IndexOf("dynamic/rounds")];
            Assert.InRange(rounds, 1, 1 + options.DynamicSamplingMaxExtraRounds);
            Assert.Equal(rounds * options.PromptsPerStep, prompts);
            drawn.Add(prompts);
            dropped.Add(report.ZeroVarianceGroupShare);
        }

        Assert.Equal(options.Steps, drawn.Count);
        // A random nano policy rarely echoes the digit: most groups of 4 are all wrong, so every step needs more rounds.
        Assert.True(drawn.Average() > options.PromptsPerStep, $"prompts drawn per step: {string.Join(", ", drawn)}");
        Assert.True(dropped.Average() > 0, $"dropped group shares: {string.Join(", ", dropped)}");
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

    [Fact]
    public async Task A_checkpoint_of_one_run_is_the_pretrained_policy_of_the_next_through_policy_path()
    {
        var directory = Directory.CreateTempSubdirectory("rft-policy-path-");
        try
        {
            string checkpoint = Path.Combine(directory.FullName, "checkpoint");
            double before;
            using (var first = new EchoDigit.Trainer(Options.Create(new EchoDigitOptions { Steps = 2 })))
            {
                await Train(first);
                before = (await first.EvaluateAsync("rl", CancellationToken.None)).Accuracy;
                first.SaveCheckpoint(checkpoint);
            }

            // The second run loads the weights and the character tokenizer from the checkpoint instead of building a preset.
            using var second = new EchoDigit.Trainer(Options.Create(new EchoDigitOptions { Steps = 1, PolicyPath = checkpoint }));
            second.Setup();
            Assert.Equal(before, (await second.EvaluateAsync("rl", CancellationToken.None)).Accuracy);
            var facts = second.RunFacts.ToDictionary(f => f.Key, f => f.Value);
            Assert.True(facts["policy_weight_bytes"] > 0);
            await foreach (var report in second.TrainAsync(CancellationToken.None)) Assert.True(double.IsFinite(report.Loss));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
