using Rft.Data;

namespace Rft.Runtime.Tests.Data;

public sealed class JsonlSourceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rft-jsonl-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(params string[] lines)
    {
        string path = Path.Combine(_folder, $"rows{Directory.GetFiles(_folder).Length}.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static JsonlError StopAt(JsonlSource<Problem> source) =>
        Assert.Throws<JsonlFormatException>(() => source.Rows).Error;

    [Fact]
    public void Rows_bind_to_the_record_blank_lines_skipped_and_defaults_applied()
    {
        string path = Write(
            """{"question": "1+1", "answer": 2, "digits": 1}""",
            "",
            "   ",
            """{"Question": "10+10", "Answer": 20, "hint": "carry"}""");
        var source = new JsonlSource<Problem>(path);

        Assert.Equal(new[] { new Problem("1+1", 2, 1), new Problem("10+10", 20, 1, "carry") }, source.Rows);
        Assert.Equal(2, source.Report.Rows);
        Assert.Equal(2, source.Report.BlankLines);
        Assert.Equal(0, source.Report.Skipped);
    }

    [Fact]
    public void A_bad_json_line_is_a_syntax_error_naming_file_and_line()
    {
        string path = Write("""{"question": "a", "answer": 1}""", """{"question": "b", "answer": """);
        var exception = Assert.Throws<JsonlFormatException>(() => new JsonlSource<Problem>(path).Rows);

        Assert.Equal(new JsonlError(path, 2, JsonlErrorKind.Syntax, "$", exception.Error.Expected, exception.Error.Detail), exception.Error);
        Assert.StartsWith($"{path}:2: not valid JSON (", exception.Message);
        Assert.EndsWith("; expected one JSON object per line for Problem.", exception.Message);
        Assert.NotNull(exception.InnerException);
    }

    [Fact]
    public void A_missing_required_field_names_the_field_and_its_type()
    {
        string path = Write("", """{"question": "a"}""");
        var error = StopAt(new JsonlSource<Problem>(path));

        Assert.Equal((2, JsonlErrorKind.MissingField, "Answer"), (error.Line, error.Kind, error.Field));
        Assert.Equal($"{path}:2: field 'Answer' is missing; expected a JSON number (Int32) for Problem.Answer.", error.ToString());
    }

    [Fact]
    public void A_wrong_type_names_the_field_what_it_holds_and_what_it_should()
    {
        string path = Write("""{"question": "a", "answer": "five"}""");
        var error = StopAt(new JsonlSource<Problem>(path));

        Assert.Equal((1, JsonlErrorKind.WrongType, "answer"), (error.Line, error.Kind, error.Field));
        Assert.Equal("a JSON number (Int32) for Problem.Answer, not a string", error.Expected);
        Assert.Equal($"{path}:1: field 'answer' has the wrong type; expected a JSON number (Int32) for Problem.Answer, not a string.", error.ToString());
    }

    [Theory]
    [InlineData("""{"question": null, "answer": 1}""", "question", "a JSON string for Problem.Question, not null")]
    [InlineData("""{"question": 7, "answer": 1}""", "question", "a JSON string for Problem.Question, not the number 7")]
    [InlineData("""{"question": "q", "answer": 1, "hint": false}""", "hint", "a JSON string or null for Problem.Hint, not a boolean")]
    [InlineData("""[1, 2]""", "$", "a JSON object for Problem, not an array")]
    [InlineData("""null""", "$", "a JSON object for Problem, not null")]
    [InlineData("""{"question": "q", "answer": 1.5}""", "answer", "a JSON number (Int32) for Problem.Answer, not the number 1.5")]
    [InlineData("""{"question": "q", "answer": 99999999999}""", "answer", "a JSON number (Int32) for Problem.Answer, not the number 99999999999")]
    public void Other_wrong_types_are_named_too(string line, string field, string expected)
    {
        var error = StopAt(new JsonlSource<Problem>(Write(line)));
        Assert.Equal((JsonlErrorKind.WrongType, field, expected), (error.Kind, error.Field, error.Expected));
    }

    [Fact]
    public void A_wrong_element_inside_a_field_names_its_path()
    {
        string path = Write("""{"name": "a", "values": [1, 2]}""", """{"name": "b", "values": [1, "x"]}""");
        var exception = Assert.Throws<JsonlFormatException>(() => new JsonlSource<Series>(path).Rows);

        Assert.Equal((2, JsonlErrorKind.WrongType, "values[1]"), (exception.Error.Line, exception.Error.Kind, exception.Error.Field));
        Assert.Equal("a JSON array for Series.Values", exception.Error.Expected);
        Assert.StartsWith($"{path}:2: field 'values[1]' has the wrong type (", exception.Message);
    }

    [Fact]
    public void Stop_throws_at_the_first_bad_line_and_keeps_nothing()
    {
        string path = Write(
            """{"question": "a", "answer": 1}""",
            """{"question": "b", "answer": 2}""",
            "",
            """{"question": "c"}""",
            """not json""");
        var source = new JsonlSource<Problem>(path, policy: JsonlErrorPolicy.Stop);

        var exception = Assert.Throws<JsonlFormatException>(() => source.InFileOrder(new Random(1)).ToList());
        Assert.Equal((4, JsonlErrorKind.MissingField), (exception.Error.Line, exception.Error.Kind));
        Assert.Contains($"{path}:4:", exception.Message);
    }

    [Fact]
    public void Skip_and_count_counts_each_kind_and_keeps_the_first_errors()
    {
        var lines = new List<string>
        {
            """{"question": "a", "answer": 1}""",
            """{"question": "b""",
            """{"answer": 2}""",
            """{"question": "c", "answer": "x"}""",
            """{"question": "d", "answer": 4}""",
        };
        for (int i = 0; i < 12; i++) lines.Add("{oops");
        var source = new JsonlSource<Problem>(Write(lines.ToArray()), policy: JsonlErrorPolicy.SkipAndCount);

        Assert.Equal(new[] { "a", "d" }, source.Rows.Select(p => p.Question));
        var report = source.Report;
        Assert.Equal(2, report.Rows);
        Assert.Equal(13, report.SkippedOf(JsonlErrorKind.Syntax));
        Assert.Equal(1, report.SkippedOf(JsonlErrorKind.MissingField));
        Assert.Equal(1, report.SkippedOf(JsonlErrorKind.WrongType));
        Assert.Equal(15, report.Skipped);
        Assert.Equal(JsonlReadReport.KeptErrors, report.FirstErrors.Count);
        Assert.Equal(new[] { 2, 3, 4, 6, 7 }, report.FirstErrors.Take(5).Select(e => e.Line));
        Assert.Equal("Question", report.FirstErrors[1].Field);
        Assert.Equal("answer", report.FirstErrors[2].Field);
    }

    [Fact]
    public void Source_generated_metadata_binds_and_still_requires_constructor_parameters()
    {
        string path = Write("""{"question": "a", "answer": 1}""", """{"answer": 2}""");
        var source = new JsonlSource<Problem>(path, TestJsonContext.Default.Problem, JsonlErrorPolicy.SkipAndCount);

        Assert.Equal(new[] { new Problem("a", 1) }, source.Rows);
        Assert.Equal("Question", Assert.Single(source.Report.FirstErrors).Field);
    }

    [Fact]
    public void A_field_differing_only_in_case_from_a_case_sensitive_binding_says_so_and_how_to_fix_it()
    {
        string path = Write("""{"Question": "a", "Answer": 1}""", """{"question": "b", "answer": 2}""");
        var source = new JsonlSource<Problem>(path, CaseSensitiveJsonContext.Default.Problem);

        var error = StopAt(source);
        Assert.Equal((2, JsonlErrorKind.MissingField, "Question"), (error.Line, error.Kind, error.Field));
        Assert.Equal(
            $"{path}:2: field 'Question' is missing (the line has 'question', which differs only in case: this binding matches names case-sensitively); " +
            "expected a JSON string for Problem.Question. Fix: match names case-insensitively (System.Text.Json's PropertyNameCaseInsensitive = true: " +
            "on a JsonContext, [JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]; or on the JsonSerializerOptions given), or write the field as 'Question'.",
            error.ToString());
    }

    [Fact]
    public void A_file_whose_every_line_was_skipped_says_how_many_the_first_reason_and_the_fix_when_drawn()
    {
        string path = Write("""{"question": "a", "answer": 1}""", "", """{"question": "b", "answer": 2}""", """{"question": "c"}""");
        var file = new JsonlSource<Problem>(path, CaseSensitiveJsonContext.Default.Problem, JsonlErrorPolicy.SkipAndCount);
        var mixture = new Mixture<Problem>(1, new[] { file.ToMixtureSource("Train", 1) });

        var exception = Assert.Throws<InvalidDataException>(() => mixture.Next());
        Assert.Equal(
            $"JSON Lines source 'Train' ({path}) has no records: all 3 of its non-blank lines were skipped as malformed (OnError = Skip; 3 missing a field). " +
            $"The first: {path}:1: field 'Question' is missing (the line has 'question', which differs only in case: this binding matches names case-sensitively); " +
            "expected a JSON string for Problem.Question. Fix: match names case-insensitively (System.Text.Json's PropertyNameCaseInsensitive = true: " +
            "on a JsonContext, [JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]; or on the JsonSerializerOptions given), or write the field as 'Question'.",
            exception.Message);

        // The default binding (no options, no context) matches names case-insensitively: the same file binds.
        Assert.Equal(2, new JsonlSource<Problem>(path, policy: JsonlErrorPolicy.SkipAndCount).Rows.Count);
    }

    [Fact]
    public void A_file_without_rows_for_another_reason_names_it_and_the_general_fix()
    {
        string broken = Write("{oops", """{"question": "a", "answer": "x"}""");
        var exception = Assert.Throws<InvalidDataException>(() =>
            new JsonlSource<Problem>(broken, policy: JsonlErrorPolicy.SkipAndCount).RequireRows("Train"));
        Assert.StartsWith($"JSON Lines source 'Train' ({broken}) has no records: all 2 of its non-blank lines were skipped as malformed (OnError = Skip; 1 not valid JSON, 1 with a wrong type). The first: {broken}:1: not valid JSON", exception.Message);
        Assert.EndsWith("Fix: correct the lines, or the record type's members (names, types, optional parameters) to match them.", exception.Message);

        string blank = Write("", " ");
        exception = Assert.Throws<InvalidDataException>(() => new JsonlSource<Problem>(blank).RequireRows("Eval"));
        Assert.Equal($"JSON Lines source 'Eval' ({blank}) has no records: its 2 lines are blank. Give it one JSON object per line for Problem.", exception.Message);
    }

    [Fact]
    public void A_missing_file_names_the_path()
    {
        string path = Path.Combine(_folder, "absent.jsonl");
        var exception = Assert.Throws<FileNotFoundException>(() => new JsonlSource<Problem>(path).Rows);
        Assert.Contains(path, exception.Message);
    }

    [Fact]
    public void Epochs_replay_the_file_in_order_or_shuffled_by_the_epoch_rng()
    {
        string path = Write(Enumerable.Range(0, 50).Select(i => $$"""{"question": "q{{i}}", "answer": {{i}}}""").ToArray());
        var source = new JsonlSource<Problem>(path);

        Assert.Equal(Enumerable.Range(0, 50), source.InFileOrder(new Random(3)).Select(p => p.Answer));
        var first = source.Shuffled(new Random(3)).Select(p => p.Answer).ToArray();
        Assert.Equal(first, source.Shuffled(new Random(3)).Select(p => p.Answer));
        Assert.NotEqual(first, source.Shuffled(new Random(4)).Select(p => p.Answer));
        Assert.NotEqual(Enumerable.Range(0, 50), first);
        Assert.Equal(Enumerable.Range(0, 50), first.Order());
    }

    [Fact]
    public void Sampling_with_replacement_draws_rows_independently_and_uniformly()
    {
        string path = Write(Enumerable.Range(0, 5).Select(i => $$"""{"question": "q{{i}}", "answer": {{i}}}""").ToArray());
        var source = new JsonlSource<Problem>(path);

        var drawn = source.WithReplacement(new Random(9)).Take(10_000).Select(p => p.Answer).ToArray();
        // Unlike an epoch, the first five draws repeat a row (probability 1 - 5!/5^5 = 0.96) and every row keeps its share.
        Assert.NotEqual(5, drawn.Take(5).Distinct().Count());
        Assert.All(Enumerable.Range(0, 5), row => Assert.InRange(drawn.Count(a => a == row), 1_850, 2_150));
        Assert.Equal(drawn, source.WithReplacement(new Random(9)).Take(10_000).Select(p => p.Answer));
    }

    [Fact]
    public void A_jsonl_file_plugs_into_a_mixture()
    {
        string small = Write("""{"question": "s", "answer": 0}""");
        string large = Write(Enumerable.Range(1, 9).Select(i => $$"""{"question": "l", "answer": {{i}}}""").ToArray());
        var mixture = new Mixture<Problem>(11, new[]
        {
            new JsonlSource<Problem>(small).ToMixtureSource("small", 1),
            new JsonlSource<Problem>(large).ToMixtureSource("large", 1, shuffle: false),
        });

        var drawn = mixture.Take(2_000);
        Assert.All(drawn.Where(p => p.Question == "s"), p => Assert.Equal(0, p.Answer));
        Assert.InRange(drawn.Count(p => p.Question == "s"), 900, 1100);
        Assert.Equal(Enumerable.Range(1, 9), drawn.Where(p => p.Question == "l").Take(9).Select(p => p.Answer));
    }
}
