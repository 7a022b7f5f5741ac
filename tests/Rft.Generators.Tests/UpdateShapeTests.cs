using Microsoft.CodeAnalysis;
using Rft.Generators.Tests.Infrastructure;
using Snapshooter;
using Snapshooter.Xunit;

namespace Rft.Generators.Tests;

/// <summary>
/// The update's shape in the generated step: snapshots of a pipeline with micro-batches, with epochs x mini-batches and
/// with [DynamicSampling]; the diagnostics of shapes that cannot work (RFT0070-RFT0072), each at its argument.
/// </summary>
public class UpdateShapeTests
{
    [Fact]
    public void Micro_batches_accumulate_gradients_over_rows_normalised_by_their_mini_batch()
    {
        var (trainer, options) = Run("MicroBatches", "[Training(MicroBatchSize = 4, Precision = Precision.Bf16, GradientCheckpointing = true, Device = \"cuda:0\")]");

        Assert.Contains("public int MicroBatchSize { get; set; } = 4;", options);
        Assert.Contains("public global::Rft.Precision Precision { get; set; } = global::Rft.Precision.Bf16;", options);
        Assert.Contains("public bool GradientCheckpointing { get; set; } = true;", options);
        Assert.Contains("public string Device { get; set; } = \"cuda:0\";", options);
        Assert.Contains("MiniBatchSchedule.MicroBatch(start, count, _options.MicroBatchSize, micro)", trainer);
        Assert.Contains("_optimizer.AccumulateGradients();", trainer);
        // The old log-probs once per rollout, micro-batched, before any update.
        Assert.True(trainer.IndexOf("LogProbsWithoutGrad(_policy, sequences", StringComparison.Ordinal) < trainer.IndexOf("for (int epoch = 0;", StringComparison.Ordinal));
        Assert.Contains("_device = global::Rft.Training.DeviceSettings.Resolve(_options.Device);", trainer);
        Assert.Contains("_policy.GradientCheckpointing = _options.GradientCheckpointing;", trainer);
    }

    [Fact]
    public void Epochs_and_mini_batches_take_one_optimizer_step_per_mini_batch()
    {
        var (trainer, options) = Run("Epochs", "[Training(PpoEpochs = 2, MiniBatches = 4, OldLogProbs = OldLogProbSource.Behaviour)]");

        Assert.Contains("public int PpoEpochs { get; set; } = 2;", options);
        Assert.Contains("public int MiniBatches { get; set; } = 4;", options);
        Assert.Contains("global::Rft.Training.OptionChecks.MiniBatches(errors, MiniBatches, PromptsPerStep, GroupSize);", options);
        Assert.Contains("public global::Rft.OldLogProbSource OldLogProbs { get; set; } = global::Rft.OldLogProbSource.Behaviour;", options);
        Assert.Contains("for (int epoch = 0; epoch < _options.PpoEpochs; epoch++)", trainer);
        Assert.Contains("_schedule.Shuffle(rows);", trainer);
        Assert.Single(AllIndexesOf(trainer, "_optimizer.Step(step)"));
    }

    [Fact]
    public void Dynamic_sampling_resets_the_report_so_a_step_without_signal_reports_nothing_stale()
    {
        var (trainer, _) = Run("Dynamic", "[DynamicSampling(MaxExtraRounds = 2)]\n[Training(MicroBatchSize = 2, PpoEpochs = 2, MiniBatches = 2)]");

        int reset = trainer.IndexOf("report.Reset();", StringComparison.Ordinal);
        int rounds = trainer.IndexOf("while (kept < wanted", StringComparison.Ordinal);
        Assert.True(reset > 0 && reset < rounds, "the report must be reset before the step measures anything");
        Assert.Contains("if (kept > 0)", trainer);
    }

    [Fact]
    public void RFT0070_an_unknown_device_at_the_argument()
    {
        DiagnosticAssert.Single("RFT0070", Pipeline("[Training([|Device = \"gpu\"|])]"),
            "Device = \"gpu\" is not a device Rft can train on: use \"cpu\", \"cuda\" or \"cuda:N\"");
    }

    [Fact]
    public void RFT0071_more_mini_batches_than_completions_at_the_argument()
    {
        DiagnosticAssert.Single("RFT0071", Pipeline("[Grpo(GroupSize = 4, PromptsPerStep = 2)]\n[Training([|MiniBatches = 9|])]"),
            "MiniBatches = 9 exceeds the 8 completions of a step (PromptsPerStep 2 x GroupSize 4)");
    }

    [Fact]
    public void RFT0072_a_micro_batch_larger_than_a_mini_batch_is_a_warning_at_the_argument()
    {
        var run = DiagnosticAssert.Single("RFT0072", Pipeline("[Grpo(GroupSize = 4, PromptsPerStep = 4)]\n[Training(MiniBatches = 4, [|MicroBatchSize = 6|])]"),
            "MicroBatchSize = 6 is larger than a mini-batch (4 completions: 16 per step over MiniBatches = 4)");

        Assert.Equal(DiagnosticSeverity.Warning, run.Diagnostics[0].Severity);
    }

    [Fact]
    public void Negative_micro_batch_size_and_zero_epochs_are_out_of_range_at_the_argument()
    {
        DiagnosticAssert.Single("RFT0018", Pipeline("[Training([|MicroBatchSize = -1|])]"), "MicroBatchSize = -1 in [Training] is invalid: it must be at least 0");
        DiagnosticAssert.Single("RFT0018", Pipeline("[Training([|PpoEpochs = 0|])]"), "PpoEpochs = 0 in [Training] is invalid: it must be at least 1");
    }

    private static (string Trainer, string Options) Run(string name, string attributes)
    {
        var run = GeneratorRun.Of(Pipeline(attributes, name));

        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
        foreach (var file in run.Files.Where(f => !f.HintName.EndsWith(".Host.g.cs", StringComparison.Ordinal)).OrderBy(f => f.HintName, StringComparer.Ordinal))
            Snapshot.Match(file.Text, SnapshotNameExtension.Create(file.HintName));
        return (run.File(".Trainer.g.cs"), run.File(".Options.g.cs"));
    }

    private static IEnumerable<int> AllIndexesOf(string text, string value)
    {
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
            yield return i;
    }

    private static string Pipeline(string attributes, string name = "Calc") => $$"""
        using System;
        using System.Collections.Generic;
        using Rft;

        namespace Samples.Update;

        public sealed record Problem(string Question, int Answer);

        [Pipeline]
        [Policy(Preset = "nano")]
        {{attributes}}
        public partial class {{name}}
        {
            [Source] public static IEnumerable<Problem> Problems(Random rng) { while (true) yield return new Problem("1+1", 2); }

            [EvalSource] public static IEnumerable<Problem> HeldOut(Random rng) => Problems(rng);

            [Prompt] public static string Render(Problem p) => p.Question + "=";

            [Reward] public static float Correct(int answer, Completion c) => c.TryParseInt(out var v) && v == answer ? 1f : 0f;
        }
        """;
}
