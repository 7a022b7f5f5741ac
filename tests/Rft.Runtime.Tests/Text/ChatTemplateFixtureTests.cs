using System.Text.Json.Nodes;
using Rft.Text;
using Rft.Text.Jinja;
using Xunit.Abstractions;

namespace Rft.Runtime.Tests.Text;

/// <summary>
/// Every conversation recorded by ChatFixtures/make-fixtures.mjs renders to exactly the text the independent renderer
/// (@huggingface/jinja) produced, or fails where it failed; Python's Jinja2 agrees on every case (check-with-jinja2.py).
/// </summary>
public sealed class ChatTemplateFixtureTests(ITestOutputHelper output)
{
    private static string Fixture(string name) =>
        Path.Combine(SharedFiles.RepositoryRoot, "tests", "Rft.Runtime.Tests", "Text", "ChatFixtures", name);

    [Fact]
    public void Qwen3_template_from_shared_renders_every_recorded_conversation()
    {
        string? config = SharedFiles.Find("tokenizers/qwen3/tokenizer_config.json", output);
        if (config is null) return;
        AssertAllMatch(config, "qwen3.cases.json");
    }

    [Fact]
    public void Qwen25_template_renders_every_recorded_conversation() =>
        AssertAllMatch(Fixture("qwen2.5-0.5b-instruct.tokenizer_config.json"), "qwen2.5.cases.json");

    [Fact]
    public void DeepSeek_R1_distill_template_renders_every_recorded_conversation() =>
        AssertAllMatch(Fixture("deepseek-r1-distill-qwen-32b.tokenizer_config.json"), "deepseek-r1.cases.json");

    private void AssertAllMatch(string config, string casesFile)
    {
        var template = ChatTemplate.FromTokenizerConfig(config);
        var cases = JsonNode.Parse(File.ReadAllText(Fixture(casesFile)))!["cases"]!.AsArray();
        var failures = new List<string>();
        int rendered = 0, raised = 0;
        foreach (var node in cases)
        {
            var c = node!.AsObject();
            int id = c["id"]!.GetValue<int>();
            var messages = c["messages"]!.AsArray();
            bool generation = c["add_generation_prompt"]!.GetValue<bool>();
            var extra = c["extra"]!.AsObject();
            string? expected = c["expected"]?.GetValue<string>();
            try
            {
                string actual = template.Render(messages, generation, extra);
                if (expected is null) failures.Add($"case {id}: the reference raised \"{c["error"]}\", Rft rendered {actual.Length} characters");
                else if (actual != expected) failures.Add($"case {id}: {FirstDifference(expected, actual)}");
                else rendered++;
            }
            catch (JinjaException e)
            {
                if (expected is not null) failures.Add($"case {id}: Rft raised {e.Message}");
                else raised++;
            }
        }

        string summary = $"{casesFile}: {rendered + raised} of {cases.Count} cases match ({rendered} rendered byte for byte, {raised} raise in both)";
        output.WriteLine(summary);
        Assert.True(cases.Count >= 200, $"{casesFile} holds only {cases.Count} cases");
        Assert.True(failures.Count == 0, summary + ":\n" + string.Join("\n", failures.Take(10)));
    }

    private static string FirstDifference(string expected, string actual)
    {
        int i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i]) i++;
        string Around(string s) => System.Text.Json.JsonSerializer.Serialize(s.Substring(Math.Max(0, i - 40), Math.Min(s.Length, i + 40) - Math.Max(0, i - 40)));
        return $"first difference at character {i}: expected {Around(expected)}, got {Around(actual)}";
    }
}
