using System.Reflection;
using Microsoft.CodeAnalysis;
using Rft.Generators.Tests.Infrastructure;
using Rft.Training;

namespace Rft.Generators.Tests;

/// <summary>Settings users hit that are valid (a reward of weight 0, a constant learning rate) and the entry point of a broken pipeline.</summary>
public partial class DiagnosticTests
{
    [Fact]
    public void A_reward_of_weight_zero_is_valid_tracked_and_adds_nothing_to_the_total()
    {
        var run = GeneratorRun.Of(Pipeline(Source, Eval, Prompt, Reward, """
                [Reward(Weight = 0)] public static float Stopped(Completion c) => c.Finished ? 1f : 0f;
            """));

        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
        string trainer = run.File(".Trainer.g.cs");
        string summary = System.Text.RegularExpressions.Regex.Replace(trainer, @"\s*\n\s*/// ", " ");
        Assert.Contains("the rewards Correct (accuracy) and Stopped (weight 0: tracked, not rewarded)", summary, StringComparison.Ordinal);
        Assert.Contains(
            "_scores.Set(i, (float)(global::Rft.Training.RewardWeight.Apply(_options.CorrectWeight, correct) + global::Rft.Training.RewardWeight.Apply(_options.StoppedWeight, stopped)), correct >= 1f);",
            trainer, StringComparison.Ordinal);

        // The option accepts 0 (also as a run-time override of a positive default) and still refuses negatives and NaN.
        var options = Options(run.Load(), "Samples.CalcOptions");
        Assert.Equal(0.0, options.GetType().GetProperty("StoppedWeight")!.GetValue(options));
        Set(options, "CorrectWeight", 0.0);
        Assert.Empty(options.Validate());
        Set(options, "CorrectWeight", -1.0);
        Set(options, "StoppedWeight", double.NaN);
        Assert.Equal(
            new[]
            {
                "Rft:CorrectWeight = -1 is invalid: it must be a finite number of at least 0.",
                "Rft:StoppedWeight = NaN is invalid: it must be a finite number of at least 0.",
            },
            options.Validate());
    }

    [Fact]
    public void A_source_weight_of_zero_set_at_run_time_is_refused_by_validation()
    {
        var options = Options(GeneratorRun.Of(Pipeline(Source, Eval, Prompt, Reward)).Load(), "Samples.CalcOptions");
        Set(options, "ProblemsWeight", 0.0);
        Assert.Equal(new[] { "Rft:ProblemsWeight = 0 is invalid: it must be a positive finite number." }, options.Validate());
    }

    [Fact]
    public void A_min_learning_rate_ratio_of_one_a_constant_learning_rate_is_valid_and_above_one_is_not()
    {
        var run = GeneratorRun.Of(Pipeline(
            attributes: "[Training(MinLearningRateRatio = 1)] [SftWarmup(MinLearningRateRatio = 1)]",
            members: new[] { Source, Eval, Prompt, Reward, """
                [Demonstration] public static string Show(Problem p) => p.Answer.ToString();
            """ }));
        Assert.Empty(run.Diagnostics);
        var options = Options(run.Load(), "Samples.CalcOptions");
        Assert.Equal(1.0, options.GetType().GetProperty("MinLearningRateRatio")!.GetValue(options));
        Assert.Equal(1.0, options.GetType().GetProperty("SftMinLearningRateRatio")!.GetValue(options));
        Assert.Empty(options.Validate());
        Set(options, "MinLearningRateRatio", 1.5);
        Assert.Equal(new[] { "Rft:MinLearningRateRatio = 1.5 is invalid: it must be in [0, 1]." }, options.Validate());

        AssertSingle("RFT0018", Pipeline(attributes: "[Training([|MinLearningRateRatio = 1.5|])]", members: new[] { Source, Eval, Prompt, Reward }),
            "MinLearningRateRatio = 1.5 in [Training] is invalid: it must be in [0, 1]");
    }

    [Fact]
    public void A_pipeline_with_errors_that_asks_for_an_entry_point_gets_a_stub_main_so_only_its_own_errors_are_reported()
    {
        var run = GeneratorRun.Of(Pipeline(Source, Eval, Prompt, """
                [Reward] public static float Correct(int anwser, Completion c) => 0f;
            """), emitEntryPoint: true);

        Assert.Equal("RFT0002", Assert.Single(run.Diagnostics).Id);
        Assert.Equal(new[] { "Samples.Calc.Host.g.cs", "Samples.Calc.Options.g.cs" }, run.Files.Select(f => f.HintName).Order(StringComparer.Ordinal));
        // No CS5001 (no Main) nor any other compiler error beside the generator's own diagnostic.
        var errors = run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToArray();
        Assert.True(errors.Length == 0, "Compiler errors beside RFT0002:\n" + string.Join("\n", errors));
        Assert.Contains("return 1;", run.File(".Host.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void Overlong_prompts_is_an_option_with_the_attribute_value_as_default_and_only_enum_members_valid()
    {
        var run = GeneratorRun.Of(Pipeline(attributes: "[Rollout(MaxPromptTokens = 8, OverlongPrompts = OverlongPrompts.TruncateLeft)]", members: new[] { Source, Eval, Prompt, Reward }));
        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
        var options = Options(run.Load(), "Samples.CalcOptions");
        Assert.Equal(OverlongPrompts.TruncateLeft, options.GetType().GetProperty("OverlongPrompts")!.GetValue(options));
        Set(options, "OverlongPrompts", (OverlongPrompts)7);
        Assert.Equal(new[] { "Rft:OverlongPrompts = 7 is invalid: it must be one of Error, Skip, TruncateLeft." }, options.Validate());

        // Without the attribute property the default is Error, as before the option existed.
        var defaults = Options(GeneratorRun.Of(Pipeline(Source, Eval, Prompt, Reward)).Load(), "Samples.CalcOptions");
        Assert.Equal(OverlongPrompts.Error, defaults.GetType().GetProperty("OverlongPrompts")!.GetValue(defaults));
    }

    private static IRftOptions Options(Assembly assembly, string type) =>
        (IRftOptions)Activator.CreateInstance(assembly.GetType(type, throwOnError: true)!)!;

    private static void Set(object options, string property, object? value) => options.GetType().GetProperty(property)!.SetValue(options, value);
}
