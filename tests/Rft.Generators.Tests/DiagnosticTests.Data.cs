namespace Rft.Generators.Tests;

/// <summary>Diagnostics of JSON Lines sources, curricula, filters and LoRA (RFT0050–RFT0057), each at its exact span.</summary>
public partial class DiagnosticTests
{
    private const string JsonlEval = """
            [EvalSource] public static IEnumerable<Problem> HeldOut(Random rng) { while (true) yield return new Problem("1+1", 2); }
        """;

    [Fact]
    public void A_valid_pipeline_with_jsonl_source_curriculum_filter_and_lora_reports_nothing()
    {
        var run = Rft.Generators.Tests.Infrastructure.GeneratorRun.Of(Pipeline(
            new[] { JsonlEval, Prompt, Reward },
            """
            [JsonlSource("train.jsonl", typeof(Problem), Name = "Train", JsonContext = typeof(ProblemJson))]
            [Curriculum(CurriculumKind.SelfEvolving, Key = "Answer")]
            [Lora(Rank = 4, Targets = "q_proj, v_proj")]
            [PriorPrompt("Think. ")]
            """) + JsonContextSource);

        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
    }

    [Fact]
    public void RFT0050_record_without_a_bindable_constructor_at_the_type_argument()
    {
        AssertSingle("RFT0050", Pipeline(new[] { JsonlEval, Prompt, Reward }, """
            [JsonlSource("train.jsonl", [|typeof(Problem)|])]
            """).Replace("public sealed record Problem(string Question, int Answer);",
                "public sealed class Problem { public Problem(string question, int answer) { Question = question; Answer = answer; } public Problem(string q) : this(q, 0) { } public string Question { get; } public int Answer { get; } }"),
            "it has 2 public constructors and none without parameters");
    }

    [Fact]
    public void RFT0051_curriculum_keyed_on_a_missing_field_at_the_key()
    {
        AssertSingle("RFT0051", Pipeline(new[] { Source, Eval, Prompt, Reward }, """
            [Curriculum(CurriculumKind.SelfEvolving, [|Key = "Digits"|])]
            """),
            "[Curriculum] Key = \"Digits\" names no member of Problem (Question, Answer)");
    }

    [Fact]
    public void RFT0052_staged_curriculum_keyed_on_a_string_member_at_the_key()
    {
        AssertSingle("RFT0052", Pipeline(new[] { Source, Eval, Prompt, Reward }, """
            [Curriculum(CurriculumKind.Staged, [|Key = "Question"|])]
            """),
            "[Curriculum] Key 'Question' is string: a Staged curriculum orders its stages, and text would order alphabetically");
    }

    [Fact]
    public void RFT0052_curriculum_keyed_on_a_double_member_at_the_key()
    {
        AssertSingle("RFT0052", Pipeline(new[] { Source, Eval, Prompt, Reward }, """
            [Curriculum(CurriculumKind.SelfEvolving, [|Key = "Score"|])]
            """).Replace("public sealed record Problem(string Question, int Answer);", "public sealed record Problem(string Question, int Answer, double Score = 0);"),
            "[Curriculum] Key 'Score' is double: a curriculum key must be an int (or smaller integer), an enum, a bool or a string");
    }

    [Fact]
    public void A_self_evolving_curriculum_keyed_on_a_string_member_is_valid()
    {
        var run = Rft.Generators.Tests.Infrastructure.GeneratorRun.Of(Pipeline(new[] { Source, Eval, Prompt, Reward }, """
            [Curriculum(CurriculumKind.SelfEvolving, Key = "question")]
            """));

        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
        Assert.Contains("new global::Rft.Data.Curricula.SelfEvolvingCurriculum<global::Samples.Problem>(_mixture, static r => r.Question, ", run.File(".Trainer.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_curriculum_keyed_on_an_enum_names_its_metrics_after_the_enum_members()
    {
        var source = Pipeline(new[] { Source, Eval, Prompt, Reward }, """
            [Curriculum(CurriculumKind.Staged, Key = "Level")]
            """).Replace("public sealed record Problem(string Question, int Answer);", "public enum Level { Easy, Hard }\npublic sealed record Problem(string Question, int Answer, Level Level = Level.Easy);");
        var run = Rft.Generators.Tests.Infrastructure.GeneratorRun.Of(source);

        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
        Assert.Contains(
            "static r => (int)r.Level, _options.CurriculumThreshold, _options.CurriculumWindow, keyNames: global::Rft.Data.Curricula.CurriculumKey.NamesOf<global::Samples.Level>());",
            run.File(".Trainer.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void RFT0053_self_evolving_curriculum_without_a_key_at_the_attribute()
    {
        AssertSingle("RFT0053", Pipeline(new[] { Source, Eval, Prompt, Reward }, """
            [[|Curriculum(CurriculumKind.SelfEvolving)|]]
            """),
            "needs Key = \"<member>\"");
    }

    [Fact]
    public void RFT0054_unknown_lora_target_at_the_targets()
    {
        AssertSingle("RFT0054", Pipeline(new[] { Source, Eval, Prompt, Reward }, """
            [Lora([|Targets = "q_proj,attn"|])]
            """),
            "'attn' is not a projection of the model");
    }

    [Fact]
    public void RFT0055_empty_jsonl_path_at_the_path()
    {
        AssertSingle("RFT0055", Pipeline(new[] { JsonlEval, Prompt, Reward }, """
            [JsonlSource([|""|], typeof(Problem))]
            """),
            "[JsonlSource] has an empty path");
    }

    [Fact]
    public void RFT0056_json_context_without_the_record_at_the_context()
    {
        AssertSingle("RFT0056", Pipeline(new[] { JsonlEval, Prompt, Reward }, """
            [JsonlSource("train.jsonl", typeof(Problem), [|JsonContext = typeof(OtherJson)|])]
            """) + """

            [System.Text.Json.Serialization.JsonSerializable(typeof(Other))]
            public partial class OtherJson : System.Text.Json.Serialization.JsonSerializerContext
            {
                public OtherJson() : base(null) { }
                protected override System.Text.Json.JsonSerializerOptions? GeneratedSerializerOptions => null;
                public override System.Text.Json.Serialization.Metadata.JsonTypeInfo? GetTypeInfo(Type type) => null;
            }
            """,
            "has no [JsonSerializable(typeof(Problem))]");
    }

    [Fact]
    public void RFT0057_two_jsonl_sources_with_one_name_at_the_second_name()
    {
        AssertSingle("RFT0057", Pipeline(new[] { JsonlEval, Prompt, Reward }, """
            [JsonlSource("a.jsonl", typeof(Problem), Name = "Train")]
            [JsonlSource("b.jsonl", typeof(Problem), [|Name = "Train"|])]
            """),
            "Name = \"Train\" is already the name of a source");
    }

    [Fact]
    public void RFT0005_jsonl_source_of_another_record_type_at_the_type_argument()
    {
        AssertSingle("RFT0005", Pipeline(new[] { Source, Eval, Prompt, Reward }, """
            [JsonlSource("other.jsonl", [|typeof(Other)|], Name = "Others")]
            """),
            "[JsonlSource] 'Others' yields Other, but [Source] 'Problems' yields Problem");
    }

    [Fact]
    public void RFT0058_dynamic_sampling_with_a_curriculum_at_the_dynamic_sampling_attribute()
    {
        AssertSingle("RFT0058", Pipeline(new[] { Source, Eval, Prompt, Reward }, """
            [Curriculum(CurriculumKind.SelfEvolving, Key = "Answer")]
            [[|DynamicSampling(MaxExtraRounds = 2)|]]
            """),
            "cannot be combined with [Curriculum]");
    }

    // A hand-written stand-in for System.Text.Json's generated context: this test compilation runs our generator only.
    private const string JsonContextSource = """

        [System.Text.Json.Serialization.JsonSerializable(typeof(Problem))]
        public partial class ProblemJson : System.Text.Json.Serialization.JsonSerializerContext
        {
            public static ProblemJson Default { get; } = new();
            public ProblemJson() : base(null) { }
            protected override System.Text.Json.JsonSerializerOptions? GeneratedSerializerOptions => null;
            public override System.Text.Json.Serialization.Metadata.JsonTypeInfo? GetTypeInfo(Type type) => null;
        }
        """;
}
