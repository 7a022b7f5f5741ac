using System.Text.Json.Nodes;
using Rft.Conformance;

namespace Rft.Runtime.Tests.Algorithms.Peers;

public class ConformanceRunnerTests
{
    private static JsonObject Sample() => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", "cases.json")))!;

    [Fact]
    public void Sample_cases_run_and_match_their_hand_derived_expectations()
    {
        var output = ConformanceRunner.Run(Sample());
        var cases = output["cases"]!.AsArray();
        Assert.Equal(Sample()["cases"]!.AsArray().Count, cases.Count);
        int compared = 0;
        foreach (var item in cases)
        {
            var outputs = item!["outputs"]!.AsObject();
            Assert.NotEmpty(outputs);
            if (item["expected"] is not JsonObject expected) continue;
            foreach (var (key, value) in expected)
            {
                Assert.True(outputs.ContainsKey(key), $"{item["name"]}: no output '{key}'.");
                var actualValues = Flatten(outputs[key]);
                var expectedValues = Flatten(value);
                Assert.Equal(expectedValues.Count, actualValues.Count);
                for (int i = 0; i < expectedValues.Count; i++)
                    Assert.True(new ToleranceComparer(1e-6).Equals(expectedValues[i], actualValues[i]),
                        $"{item["name"]}.{key}[{i}]: expected {expectedValues[i]}, got {actualValues[i]}.");
                compared++;
            }
        }

        Assert.True(compared >= 20, $"only {compared} expectations compared");
    }

    [Fact]
    public void Every_function_named_in_the_issue_is_registered()
    {
        string[] required =
        [
            "verl.compute_grpo_outcome_advantage", "verl.compute_rloo_outcome_advantage", "verl.compute_reinforce_plus_plus_outcome_advantage",
            "verl.compute_reinforce_plus_plus_baseline_outcome_advantage", "verl.compute_remax_outcome_advantage", "verl.compute_gae_advantage_return",
            "verl.kl_penalty", "verl.compute_rewards", "verl.entropy_from_logits", "verl.compute_entropy_loss", "verl.agg_loss",
            "verl.masked_mean", "verl.masked_var", "verl.masked_whiten", "verl.compute_policy_loss_vanilla", "verl.compute_policy_loss_gspo",
            "verl.compute_value_loss", "trl.grpo_advantages", "trl.grpo_loss",
        ];
        Assert.Empty(required.Except(ConformanceRunner.FunctionNames));
        var sampled = Sample()["cases"]!.AsArray().Select(c => c!["function"]!.GetValue<string>()).ToHashSet();
        Assert.Empty(required.Except(sampled));
    }

    [Fact]
    public void Unknown_function_names_the_case_and_lists_the_valid_ones()
    {
        var document = (JsonObject)JsonNode.Parse("""{"cases":[{"name":"typo","function":"verl.compute_grpo_advantage","params":{},"inputs":{}}]}""")!;
        var error = Assert.Throws<ConformanceException>(() => ConformanceRunner.Run(document));
        Assert.Contains("'typo'", error.Message);
        Assert.Contains("verl.compute_grpo_outcome_advantage", error.Message);
    }

    [Fact]
    public void Unknown_params_and_peer_errors_name_the_case()
    {
        var typo = (JsonObject)JsonNode.Parse("""{"cases":[{"name":"k","function":"verl.kl_penalty","params":{"kl_penalt":"k3"},"inputs":{"logprob":[0],"ref_logprob":[0]}}]}""")!;
        Assert.Contains("kl_penalt", Assert.Throws<ConformanceException>(() => ConformanceRunner.Run(typo)).Message);
        var oneToken = (JsonObject)JsonNode.Parse("""{"cases":[{"name":"one","function":"verl.masked_whiten","params":{},"inputs":{"values":[[1,2]],"mask":[[0,1]]}}]}""")!;
        var error = Assert.Throws<ConformanceException>(() => ConformanceRunner.Run(oneToken));
        Assert.Contains("case 'one'", error.Message);
    }

    private static List<double> Flatten(JsonNode? node)
    {
        var values = new List<double>();
        void Walk(JsonNode? n)
        {
            if (n is JsonArray array) foreach (var item in array) Walk(item);
            else values.Add(JsonTensors.Scalar(n, "expected"));
        }

        Walk(node);
        return values;
    }
}
