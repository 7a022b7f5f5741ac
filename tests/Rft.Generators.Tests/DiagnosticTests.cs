using System.Globalization;
using Microsoft.CodeAnalysis;
using Rft.Generators.Tests.Infrastructure;

namespace Rft.Generators.Tests;

/// <summary>
/// One test per diagnostic: its ID and the exact span of the offending syntax, marked [|like this|]
/// in the source. Each source has exactly one problem, so each test also proves that nothing else
/// is reported, and that the generated code adds no compile error of its own.
/// </summary>
public partial class DiagnosticTests
{
    private const string Source = """
            [Source] public static IEnumerable<Problem> Problems(Random rng) { while (true) yield return new Problem("1+1", 2); }
        """;

    private const string Eval = """
            [EvalSource] public static IEnumerable<Problem> HeldOut(Random rng) => Problems(rng);
        """;

    private const string Prompt = """
            [Prompt] public static string Render(Problem p) => p.Question + "=";
        """;

    private const string Reward = """
            [Reward] public static float Correct(int answer, Completion c) => c.TryParseInt(out var v) && v == answer ? 1f : 0f;
        """;

    [Fact]
    public void A_valid_pipeline_reports_nothing()
    {
        var run = GeneratorRun.Of(Pipeline(Source, Eval, Prompt, Reward));

        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
    }

    [Fact]
    public void RFT0001_pipeline_class_not_partial_at_the_class_identifier()
    {
        AssertSingle("RFT0001", Pipeline(declaration: "public class [|Calc|]", members: new[] { Source, Eval, Prompt, Reward }),
            "'Calc' must be declared partial");
    }

    [Fact]
    public void RFT0002_reward_parameter_matching_no_member_at_the_parameter()
    {
        AssertSingle("RFT0002", Pipeline(Source, Eval, Prompt, """
                [Reward] public static float Correct([|int anwser|], Completion c) => 0f;
            """),
            "parameter 'anwser' matches no member of Problem (Question, Answer)");
    }

    [Fact]
    public void RFT0003_reward_parameter_of_another_type_than_its_member_at_the_parameter_type()
    {
        AssertSingle("RFT0003", Pipeline(Source, Eval, Prompt, """
                [Reward] public static float Correct([|string|] answer, Completion c) => 0f;
            """),
            "has type string, but Problem.Answer is int");
    }

    [Fact]
    public void RFT0004_reward_returning_an_unsupported_type_at_the_return_type()
    {
        AssertSingle("RFT0004", Pipeline(Source, Eval, Prompt, """
                [Reward] public static [|System.Threading.Tasks.Task<float>|] Correct(int answer, Completion c) => System.Threading.Tasks.Task.FromResult(0f);
            """),
            "Reward 'Correct' returns Task<float>");
    }

    [Fact]
    public void RFT0005_sources_of_different_record_types_at_the_second_return_type()
    {
        AssertSingle("RFT0005", Pipeline(Source, """
                [Source] public static [|IEnumerable<Other>|] Others(Random rng) { while (true) yield return new Other(1); }
            """, Eval, Prompt, Reward),
            "[Source] 'Others' yields Other, but [Source] 'Problems' yields Problem");
    }

    [Fact]
    public void RFT0006_negative_reward_weight_at_the_weight_argument()
    {
        AssertSingle("RFT0006", Pipeline(Source, Eval, Prompt, """
                [Reward([|Weight = -0.5|])] public static float Correct(int answer, Completion c) => 0f;
            """),
            "[Reward] 'Correct' has Weight = -0.5: a reward's weight must be a finite number of at least 0 (Weight = 0 tracks the reward without rewarding it)");
    }

    [Fact]
    public void RFT0006_source_of_weight_zero_at_the_weight_argument()
    {
        AssertSingle("RFT0006", Pipeline(Eval, Prompt, Reward, """
                [Source([|Weight = 0|])] public static IEnumerable<Problem> Problems(Random rng) { while (true) yield return new Problem("1+1", 2); }
            """),
            "[Source] 'Problems' has Weight = 0: a source's weight must be a positive finite number (a source of weight 0 would never be drawn: remove it instead)");
    }

    [Fact]
    public void RFT0007_no_reward_at_the_class_identifier()
    {
        AssertSingle("RFT0007", Pipeline(declaration: "public partial class [|Calc|]", members: new[] { Source, Eval, Prompt }),
            "declares no [Reward] method");
    }

    [Fact]
    public void RFT0008_group_size_below_two_at_the_group_size_argument()
    {
        AssertSingle("RFT0008", Pipeline(attributes: "[Grpo([|GroupSize = 1|], PromptsPerStep = 4)]", members: new[] { Source, Eval, Prompt, Reward }),
            "GroupSize = 1 is invalid");
    }

    [Fact]
    public void RFT0009_no_source_at_the_class_identifier()
    {
        AssertSingle("RFT0009", Pipeline(declaration: "public partial class [|Calc|]", members: new[]
        {
            """
                [EvalSource] public static IEnumerable<Problem> HeldOut(Random rng) { while (true) yield return new Problem("1+1", 2); }
            """,
            Prompt, Reward,
        }),
            "declares no [Source] method");
    }

    [Fact]
    public void RFT0010_no_prompt_at_the_class_identifier()
    {
        AssertSingle("RFT0010", Pipeline(declaration: "public partial class [|Calc|]", members: new[] { Source, Eval, Reward }),
            "declares no [Prompt] method: declare one static string Name(Problem record)");
    }

    [Fact]
    public void RFT0011_second_prompt_at_its_identifier()
    {
        AssertSingle("RFT0011", Pipeline(Source, Eval, Prompt, Reward, """
                [Prompt] public static string [|Again|](Problem p) => p.Question;
            """),
            "'Again' is a second [Prompt] method");
    }

    [Theory]
    [InlineData(
        "[Source] public IEnumerable<Problem> [|Problems|](Random rng) { yield break; }\n[Prompt] public static string Render(Problem p) => p.Question;",
        "[Source] method 'Problems' is not static: declare it as static IEnumerable<Problem> Problems(Random rng)")]
    [InlineData(
        "[Source] public static IEnumerable<Problem> Problems[|(int seed)|] { yield break; }\n[Prompt] public static string Render(Problem p) => p.Question;",
        "[Source] method 'Problems' takes (int seed): declare it as static IEnumerable<Problem> Problems(Random rng)")]
    [InlineData(
        "[Source] public static IEnumerable<Problem> Problems[|<T>|](Random rng) { yield break; }\n[Prompt] public static string Render(Problem p) => p.Question;",
        "[Source] method 'Problems' is generic")]
    [InlineData(
        "[Source] public static IEnumerable<Problem> Problems(Random rng) { yield break; }\n[Prompt] public static [|int|] Render(Problem p) => 0;",
        "[Prompt] method 'Render' returns int: declare it as static string Render(Problem record)")]
    [InlineData(
        "[Source] public static IEnumerable<Problem> Problems(Random rng) { yield break; }\n[Prompt] public static [|List<string>|] Render(Problem p) => new();",
        "[Prompt] method 'Render' returns List<string>: declare it as static string Render(Problem record), or return the conversation as System.Text.Json.Nodes.JsonArray or IEnumerable<Rft.Text.ChatMessage>")]
    [InlineData(
        "[Source] public static IEnumerable<Problem> Problems(Random rng) { yield break; }\n[Prompt] public static string Render[|(Other o)|] => \"\";",
        "[Prompt] method 'Render' takes (Other o): declare it as static string Render(Problem record)")]
    [InlineData(
        "[Source] public static IEnumerable<Problem> Problems(Random rng) { yield break; }\n[Prompt] public static string Render(Problem p) => p.Question;\n[Demonstration] public string [|Answer|](Problem p) => \"\";",
        "[Demonstration] method 'Answer' is not static")]
    [InlineData(
        "[Source] public static IEnumerable<Problem> Problems(Random rng) { yield break; }\n[Prompt] public static string Render(Problem p) => p.Question;\n[Reward] public static float Stopped([|ref Completion c|]) => 0f;",
        "[Reward] method 'Stopped' takes 'c' by reference")]
    public void RFT0012_method_with_a_signature_wrong_for_its_role_at_the_offending_part(string declarations, string message)
    {
        AssertSingle("RFT0012", Pipeline(declarations, Eval, Reward), message);
    }

    [Fact]
    public void RFT0013_no_eval_source_is_a_warning_at_the_class_identifier_and_the_trainer_is_still_generated()
    {
        var run = AssertSingle("RFT0013", Pipeline(declaration: "public partial class [|Calc|]", members: new[] { Source, Prompt, Reward }),
            "evaluation draws Rft:EvalCount records from the training sources");

        Assert.Equal(DiagnosticSeverity.Warning, run.Diagnostics[0].Severity);
        Assert.Contains("_heldOut = CreateMixture(seeds.Derive(\"heldout\")).Take(_options.EvalCount);", run.File(".Trainer.g.cs"), StringComparison.Ordinal);
        run.AssertCompiles();
    }

    [Fact]
    public void RFT0014_second_accuracy_reward_at_its_accuracy_argument()
    {
        AssertSingle("RFT0014", Pipeline(Source, Eval, Prompt, """
                [Reward(Accuracy = true)] public static float Correct(int answer, Completion c) => 0f;
                [Reward([|Accuracy = true|])] public static float Stopped(Completion c) => c.Finished ? 1f : 0f;
            """),
            "Reward 'Stopped' has Accuracy = true, but so has 'Correct'");
    }

    [Fact]
    public void RFT0015_reward_named_like_a_source_at_the_reward_identifier()
    {
        AssertSingle("RFT0015", Pipeline(Source, Eval, Prompt, Reward, """
                [Reward] public static float [|problems|](Completion c) => 0f;
            """),
            "each source and reward gets its own option problemsWeight");
    }

    [Fact]
    public void RFT0016_warmup_without_demonstration_is_a_warning_at_the_attribute()
    {
        var run = AssertSingle("RFT0016", Pipeline(attributes: "[[|SftWarmup(MaxSteps = 10)|]]", members: new[] { Source, Eval, Prompt, Reward }),
            "[SftWarmup] has no effect");

        Assert.Equal(DiagnosticSeverity.Warning, run.Diagnostics[0].Severity);
        Assert.DoesNotContain("SftMaxSteps", run.File(".Options.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void RFT0017_nested_pipeline_class_at_its_identifier()
    {
        var marked = $$"""
            using System;
            using System.Collections.Generic;
            using Rft;

            namespace Samples;

            public sealed record Problem(string Question, int Answer);

            public partial class Outer
            {
                [Pipeline]
                public partial class [|Calc|]
                {
            {{Source}}
            {{Eval}}
            {{Prompt}}
            {{Reward}}
                }
            }
            """;
        AssertSingle("RFT0017", marked, "'Calc' is nested in Outer");
    }

    [Fact]
    public void RFT0018_setting_out_of_range_at_its_argument()
    {
        AssertSingle("RFT0018", Pipeline(attributes: "[Rollout(MaxNewTokens = 8, [|TopP = 0|])]", members: new[] { Source, Eval, Prompt, Reward }),
            "TopP = 0 in [Rollout] is invalid: it must be in (0, 1]");
    }

    [Fact]
    public void A_pipeline_with_several_errors_reports_each_and_generates_only_its_options()
    {
        var run = GeneratorRun.Of(Pipeline(
            attributes: "[Grpo(GroupSize = 0)]",
            declaration: "public class Calc",
            members: new[]
            {
                Source, Eval, Prompt,
                """
                    [Reward(Weight = -1)] public static float Correct(int answers, Completion c) => 0f;
                """,
            }));

        Assert.Equal(new[] { "RFT0001", "RFT0002", "RFT0006", "RFT0008" }, run.Diagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "Samples.Calc.Options.g.cs" }, run.Files.Select(f => f.HintName));
        DiagnosticAssert.NoErrorInGeneratedCode(run);
    }

    [Fact]
    public void A_class_marked_as_a_pipeline_on_two_partial_declarations_is_generated_once()
    {
        var run = GeneratorRun.Of(new[]
        {
            ("/src/Pipeline.cs", Pipeline(Source, Eval, Prompt)),
            ("/src/Rewards.cs", """
                using Rft;

                namespace Samples;

                [Pipeline]
                public partial class Calc
                {
                    [Reward] public static float Stopped(Completion c) => c.Finished ? 1f : 0f;
                }
                """),
        });

        Assert.Empty(run.Diagnostics);
        Assert.Equal(3, run.Files.Count);
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS0579"); // the compiler's own "duplicate attribute"
    }

    private static GeneratorRun AssertSingle(string id, string markedSource, string messageFragment) =>
        DiagnosticAssert.Single(id, markedSource, messageFragment);

    private static string Pipeline(params string[] lines) => Pipeline(members: lines);

    private static string Pipeline(string[] members, string attributes = "", string declaration = "public partial class Calc") => $$"""
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Rft;

        namespace Samples;

        public sealed record Problem(string Question, int Answer);

        public sealed record Other(int Value);

        [Pipeline]
        {{attributes}}
        {{declaration}}
        {
        {{string.Join("\n", members)}}
        }
        """;
}
