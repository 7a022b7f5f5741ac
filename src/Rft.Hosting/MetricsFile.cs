using System.Text.Json.Nodes;

namespace Rft.Hosting;

/// <summary>Reading a run's <c>metrics.jsonl</c> back.</summary>
public static class MetricsFile
{
    /// <summary>
    /// The step lines (warm-up and RL) of <paramref name="path"/>, each without its wall-clock fields (<c>seconds</c>,
    /// <c>timing/*</c>, <c>*_per_s</c>): what two runs that computed the same things have in common, byte for byte.
    /// </summary>
    public static List<string> StepLinesWithoutWallClock(string path) =>
        File.ReadAllLines(path)
            .Where(line => line.Length > 0)
            .Select(line => JsonNode.Parse(line)!.AsObject())
            .Where(json => json["phase"]?.GetValue<string>() is "sft" or "rl")
            .Select(json =>
            {
                foreach (var key in json.Select(p => p.Key).Where(IsWallClock).ToList()) json.Remove(key);
                return json.ToJsonString();
            })
            .ToList();

    private static bool IsWallClock(string key) =>
        key == "seconds" || key.StartsWith("timing/", StringComparison.Ordinal) || key.EndsWith("_per_s", StringComparison.Ordinal);
}
