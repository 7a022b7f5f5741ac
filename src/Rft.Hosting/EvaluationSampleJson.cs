using System.Text.Json;
using Rft.Training;

namespace Rft.Hosting;

/// <summary>How samples.jsonl and eval.json write an <see cref="EvaluationSample"/> and the numbers that may be missing.</summary>
internal static class EvaluationSampleJson
{
    /// <summary>The sample's fields, into the JSON object being written: prompt, completion, correct, reward, rewards.</summary>
    public static void WriteFields(Utf8JsonWriter json, EvaluationSample sample)
    {
        json.WriteString("prompt", sample.Prompt);
        json.WriteString("completion", sample.Completion);
        json.WriteBoolean("correct", sample.Correct);
        WriteNumberOrNull(json, "reward", sample.Reward);
        json.WriteStartObject("rewards");
        foreach (var (name, value) in sample.Rewards) WriteNumberOrNull(json, name, value);
        json.WriteEndObject();
    }

    /// <summary>A reward that failed is NaN, which JSON cannot hold: null says "no value".</summary>
    public static void WriteNumberOrNull(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name);
    }
}
