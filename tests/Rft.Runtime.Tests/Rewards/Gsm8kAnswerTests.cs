using System.Globalization;
using System.Text.Json;
using Rft.Rewards;
using Rft.Runtime.Tests.Data;
using Xunit.Abstractions;

namespace Rft.Runtime.Tests.Rewards;

/// <summary>Extraction and comparison on every row of GSM8K's test split, against its own <c>#### n</c>.</summary>
public class Gsm8kAnswerTests(ITestOutputHelper output)
{
    private const int TestRows = 1319;

    [Fact]
    public void Every_test_row_extracts_and_matches_its_own_answer()
    {
        string? path = SharedFiles.Find(SharedFiles.Gsm8kTest, output);
        if (path is null) return;

        int rows = 0;
        var failures = new List<string>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            rows++;
            string answer = JsonDocument.Parse(line).RootElement.GetProperty("answer").GetString()!;

            // The expected value, read independently of the helpers: the text after ####, commas removed.
            string written = answer[(answer.LastIndexOf("####", StringComparison.Ordinal) + 4)..].Trim();
            long expected = long.Parse(written.Replace(",", ""), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

            Check(rows, "#### in the answer", answer, expected, FinalAnswer.TryExtractGsm8k, failures);
            Check(rows, "last number of the answer", answer, expected, FinalAnswer.TryExtractLastNumber, failures);
            Check(rows, "last number of a completion as written", $"Adding it all up, so the total is {written}.", expected, FinalAnswer.TryExtractLastNumber, failures);
            Check(rows, "last number of a completion, plain", $"so the total is {expected.ToString(CultureInfo.InvariantCulture)}.", expected, FinalAnswer.TryExtractLastNumber, failures);
            Check(rows, "last number, grouped with a currency sign", $"She makes ${expected.ToString("#,0", CultureInfo.InvariantCulture)}.00 a day.", expected, FinalAnswer.TryExtractLastNumber, failures);
            Check(rows, "boxed", $"Step 1: 3 + 4 = 7. The answer is \\boxed{{{written}}} dollars.", expected, FinalAnswer.TryExtractBoxed, failures);
            Check(rows, "answer tag", $"<think>2 x 3 = 6</think><answer> {written} </answer>", expected, FinalAnswer.TryExtractAnswerTag, failures);
        }

        output.WriteLine($"{rows} rows, {failures.Count} failed checks");
        Assert.Equal(TestRows, rows);
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    private delegate bool Extractor(ReadOnlySpan<char> text, out ReadOnlySpan<char> answer);

    private static void Check(int row, string what, string text, long expected, Extractor extract, List<string> failures)
    {
        if (!extract(text, out var answer))
            failures.Add($"row {row}, {what}: nothing extracted from \"{text}\"");
        else if (!NumericAnswer.Matches(answer, expected))
            failures.Add($"row {row}, {what}: extracted \"{answer}\", expected {expected}");
    }
}
