using System.Globalization;
using Microsoft.CodeAnalysis;
using Rft.Generators.Tests.Infrastructure;

namespace Rft.Generators.Tests;

/// <summary>
/// One test per loss-composition diagnostic (RFT0030-RFT0041): its ID, its severity and the exact span
/// of the offending syntax, marked [|like this|]. Each source has exactly one problem.
/// </summary>
public class LossCompositionDiagnosticTests
{
    private const string Demonstration = """
            [Demonstration] public static string Answer(Problem p) => p.Answer.ToString();
        """;

    [Fact]
    public void RFT0030_two_advantage_estimators_at_the_second()
    {
        AssertSingle("RFT0030", Pipeline("[Grpo(GroupSize = 4)]\n[[|Rloo(GroupSize = 4)|]]"),
            "[Rloo] is a second advantage estimator: [Grpo] is already declared");
    }

    [Fact]
    public void RFT0031_gae_without_a_value_head_at_the_gae_attribute()
    {
        AssertSingle("RFT0031", Pipeline("[[|Gae(Lambda = 0.95)|]]"),
            "declares no [ValueHead]: add [ValueHead] or choose [Grpo], [Rloo] or [ReinforcePlusPlus]");
    }

    [Fact]
    public void RFT0032_value_head_without_gae_is_a_warning_and_builds_no_head()
    {
        var run = AssertSingle("RFT0032", Pipeline("[Grpo]\n[[|ValueHead(Coefficient = 0.5)|]]"),
            "[ValueHead] has no effect: only [Gae] reads values, and the pipeline 'Calc' uses [Grpo]");

        Assert.Equal(DiagnosticSeverity.Warning, run.Diagnostics[0].Severity);
        Assert.DoesNotContain("_valueHead", run.File(".Trainer.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void RFT0033_two_policy_losses_at_the_second()
    {
        AssertSingle("RFT0033", Pipeline("[Gspo]\n[[|Topr|]]"),
            "[Topr] is a second policy loss: [Gspo] is already declared, and their importance ratios conflict");
    }

    [Fact]
    public void RFT0034_clip_range_on_grpo_and_on_the_policy_loss_at_the_grpo_argument()
    {
        AssertSingle("RFT0034", Pipeline("[Grpo(GroupSize = 4, [|ClipHigh = 0.28|])]\n[Gspo(ClipHigh = 4e-4)]"),
            "ClipHigh on [Grpo] conflicts with the declared policy loss [Gspo]");
    }

    [Fact]
    public void RFT0035_sft_term_without_a_demonstration_at_the_attribute()
    {
        AssertSingle("RFT0035", Pipeline("[[|SftTerm(0.1)|]]"),
            "[SftTerm] imitates demonstrations, but the pipeline 'Calc' declares no [Demonstration] method");
    }

    [Fact]
    public void RFT0036_loss_term_returning_a_float_at_the_return_type()
    {
        AssertSingle("RFT0036", Pipeline("", """
                [LossTerm] public static [|float|] Drift(StepView s) => 0f;
            """),
            "[LossTerm] method 'Drift' returns float");
    }

    [Fact]
    public void RFT0036_loss_term_with_the_wrong_parameters_at_the_parameter_list()
    {
        AssertSingle("RFT0036", Pipeline("", """
                [LossTerm] public static TorchSharp.torch.Tensor Drift[|(StepView s, int k)|] => s.LogProbs.mean();
            """),
            "[LossTerm] method 'Drift' takes (StepView s, int k)");
    }

    [Fact]
    public void RFT0036_instance_loss_term_at_its_identifier()
    {
        AssertSingle("RFT0036", Pipeline("", """
                [LossTerm] public TorchSharp.torch.Tensor [|Drift|](StepView s) => s.LogProbs.mean();
            """),
            "[LossTerm] method 'Drift' is not static");
    }

    [Fact]
    public void RFT0037_reading_values_without_a_value_head_at_the_member_access()
    {
        AssertSingle("RFT0037", Pipeline("", """
                [LossTerm] public static TorchSharp.torch.Tensor Drift(StepView s) => ([|s.Values|] * s.Mask).mean();
            """),
            "[LossTerm] 'Drift' reads StepView.Values, which this pipeline does not produce");
    }

    [Fact]
    public void RFT0038_a_step_view_passed_on_is_a_warning_at_the_use()
    {
        var run = AssertSingle("RFT0038", Pipeline("", """
                [LossTerm] public static TorchSharp.torch.Tensor Drift(StepView s) => Helper([|s|]);
                private static TorchSharp.torch.Tensor Helper(StepView view) => view.LogProbs.mean();
            """),
            "[LossTerm] 'Drift' passes its StepView 's' on or stores it");

        Assert.Equal(DiagnosticSeverity.Warning, run.Diagnostics[0].Severity);
        // Every producible member is computed, the reference policy's included.
        Assert.Contains("_stepView.RefLogProbs = micro.RefLogProbs!;", run.File(".Trainer.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void RFT0039_non_positive_loss_term_weight_at_the_argument()
    {
        AssertSingle("RFT0039", Pipeline("", """
                [LossTerm([|Weight = -0.5|])] public static TorchSharp.torch.Tensor Drift(StepView s) => s.LogProbs.mean();
            """),
            "[LossTerm] 'Drift' has Weight = -0.5: a loss term's weight must be a positive finite number");
    }

    [Fact]
    public void RFT0040_aggregation_with_gspo_is_a_warning_at_the_aggregation()
    {
        var run = AssertSingle("RFT0040", Pipeline("[Gspo]\n[[|Aggregation(AggregationMode.TokenMean)|]]"),
            "[Gspo] always aggregates by seq-mean-token-mean");

        Assert.Equal(DiagnosticSeverity.Warning, run.Diagnostics[0].Severity);
    }

    [Fact]
    public void RFT0041_chord_mu_above_one_at_the_weight()
    {
        AssertSingle("RFT0041", Pipeline("[SftTerm([|1.5|], Schedule = SftSchedule.Chord)]", Demonstration),
            "Weight = 1.5 in [SftTerm] is invalid with Schedule = SftSchedule.Chord");
    }

    [Fact]
    public void RFT0018_negative_sft_term_weight_at_the_argument()
    {
        AssertSingle("RFT0018", Pipeline("[SftTerm(0.1, [|EndWeight = -1|], Schedule = SftSchedule.Linear)]", Demonstration),
            "EndWeight = -1 in [SftTerm] is invalid: it must be at least 0");
    }

    [Fact]
    public void RFT0018_gae_lambda_out_of_range_at_the_argument()
    {
        AssertSingle("RFT0018", Pipeline("[Gae([|Lambda = 1.5|])]\n[ValueHead]"),
            "Lambda = 1.5 in [Gae] is invalid: it must be in (0, 1]");
    }

    private static GeneratorRun AssertSingle(string id, string markedSource, string messageFragment) =>
        DiagnosticAssert.Single(id, markedSource, messageFragment);

    /// <summary>A valid pipeline but for the given attributes and members.</summary>
    internal static string Pipeline(string attributes, string members = "") => $$"""
        using System;
        using System.Collections.Generic;
        using Rft;

        namespace Samples;

        public sealed record Problem(string Question, int Answer);

        [Pipeline]
        {{attributes}}
        public partial class Calc
        {
            [Source] public static IEnumerable<Problem> Problems(Random rng) { while (true) yield return new Problem("1+1", 2); }

            [EvalSource] public static IEnumerable<Problem> HeldOut(Random rng) => Problems(rng);

            [Prompt] public static string Render(Problem p) => p.Question + "=";

            [Reward] public static float Correct(int answer, Completion c) => c.TryParseInt(out var v) && v == answer ? 1f : 0f;
        {{members}}
        }
        """;
}
