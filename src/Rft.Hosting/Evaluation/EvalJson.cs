using System.Text.Encodings.Web;
using System.Text.Json;
using Rft.Training;

namespace Rft.Hosting.Evaluation;

/// <summary>Writes a <see cref="HeldOutEvaluation"/> as eval.json.</summary>
internal static class EvalJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(string path, string pipeline, string model, HeldOutEvaluation result)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } directory) Directory.CreateDirectory(directory);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        using (var json = new Utf8JsonWriter(file, WriterOptions))
        {
            var settings = result.Settings;
            json.WriteStartObject();
            json.WriteString("pipeline", pipeline);
            json.WriteString("model", model);
            json.WriteNumber("problems", result.Problems);
            json.WriteNumber("k", settings.K);
            json.WriteNumber("samples_per_problem", settings.Samples);
            json.WriteNumber("temperature", settings.Temperature);
            json.WriteNumber("top_p", settings.TopP);
            json.WriteNumber("seed", settings.Seed);
            json.WriteString("pass_at_k_estimator", "unbiased, Chen et al. 2021: mean over problems of 1 - C(n - c, k) / C(n, k), n = samples_per_problem");
            json.WriteNumber("pass_at_k", result.PassAtK);
            json.WritePropertyName("greedy");
            WriteStatistics(json, result.Greedy, result.RewardNames);
            json.WritePropertyName("sampled");
            WriteStatistics(json, result.Sampled, result.RewardNames);
            json.WriteStartArray("examples");
            foreach (var example in result.Examples)
            {
                json.WriteStartObject();
                EvaluationSampleJson.WriteFields(json, example);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("seconds", Math.Round(result.Seconds, 3));
            json.WriteEndObject();
        }

        file.WriteByte((byte)'\n');
    }

    private static void WriteStatistics(Utf8JsonWriter json, CompletionStatistics statistics, IReadOnlyList<string> rewardNames)
    {
        json.WriteStartObject();
        json.WriteNumber("completions", statistics.Completions);
        json.WriteNumber("correct", statistics.Correct);
        EvaluationSampleJson.WriteNumberOrNull(json, "accuracy", statistics.Accuracy);
        EvaluationSampleJson.WriteNumberOrNull(json, "mean_completion_tokens", statistics.MeanCompletionTokens);
        json.WriteStartObject("rewards");
        for (int i = 0; i < rewardNames.Count; i++)
        {
            json.WriteStartObject(rewardNames[i]);
            EvaluationSampleJson.WriteNumberOrNull(json, "mean", statistics.RewardMeans[i]);
            json.WriteNumber("failures", statistics.RewardFailures[i]);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
