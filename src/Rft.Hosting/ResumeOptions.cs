using System.Text.Json;

namespace Rft.Hosting;

/// <summary>Compares the options a run is resumed with to those it started with.</summary>
internal static class ResumeOptions
{
    /// <summary>
    /// Options that change what is printed, evaluated for the log or kept on disk, never what a step computes: they
    /// may change at resume. Every other option (and any option this list does not know) changes the run's math.
    /// Rft:EvalEvery only adds held-out accuracy to some step lines (greedy decoding draws no random numbers);
    /// Rft:EvalCount is not here, because the held-out prompts feed a character tokenizer's alphabet.
    /// </summary>
    public static readonly IReadOnlySet<string> Harmless = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "LogEvery", "EvalEvery", "RunDirectory", "CheckpointEvery", "KeepCheckpoints", "Resume", "ResumeOverride",
    };

    /// <summary>Each option whose value differs between <paramref name="then"/> (options.json) and <paramref name="now"/>, in name order.</summary>
    public static IReadOnlyList<OptionChange> Compare(JsonElement then, JsonElement now)
    {
        var before = Properties(then);
        var after = Properties(now);
        var changes = new List<OptionChange>();
        foreach (string name in before.Keys.Union(after.Keys, StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase))
        {
            bool had = before.TryGetValue(name, out var old);
            bool has = after.TryGetValue(name, out var current);
            if (had && has && JsonElement.DeepEquals(old, current)) continue;
            changes.Add(new OptionChange(name, had ? old.GetRawText() : "(absent)", has ? current.GetRawText() : "(absent)", !Harmless.Contains(name)));
        }

        return changes;
    }

    private static Dictionary<string, JsonElement> Properties(JsonElement options)
    {
        var properties = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in options.EnumerateObject()) properties[property.Name] = property.Value;
        return properties;
    }
}
