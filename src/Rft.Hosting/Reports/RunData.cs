using System.Text.Json;

namespace Rft.Hosting.Reports;

/// <summary>
/// What a run directory holds, read for the report: metrics.jsonl (step metrics by phase, final evaluations),
/// samples.jsonl, summary.json, options.json and eval.json (the eval verb's). Only metrics.jsonl is required; a
/// malformed line stops the report with its file and line named.
/// </summary>
internal sealed class RunData
{
    private readonly Dictionary<string, Dictionary<string, MetricSeries>> _phases = new(StringComparer.Ordinal);

    private RunData(string directory) => Directory = directory;

    public string Directory { get; }

    public List<RunEvaluation> Evaluations { get; } = [];

    public List<SampleGroup> Samples { get; } = [];

    /// <summary>summary.json's top-level values (numbers, strings, booleans), in file order; empty when absent.</summary>
    public List<KeyValuePair<string, JsonElement>> Summary { get; } = [];

    /// <summary>options.json's values, in file order; empty when absent.</summary>
    public List<KeyValuePair<string, JsonElement>> Options { get; } = [];

    /// <summary>eval.json, when the eval verb wrote one into the run directory.</summary>
    public JsonElement? HeldOut { get; private set; }

    /// <summary>The metric <paramref name="name"/> of <paramref name="phase"/> ("sft", "rl"), or null when no step reported it.</summary>
    public MetricSeries? Series(string phase, string name) =>
        _phases.TryGetValue(phase, out var series) && series.TryGetValue(name, out var metric) ? metric : null;

    /// <summary>Every metric of <paramref name="phase"/> whose name starts with <paramref name="prefix"/>, in first-seen order.</summary>
    public IReadOnlyList<MetricSeries> SeriesStartingWith(string phase, string prefix) =>
        _phases.TryGetValue(phase, out var series)
            ? series.Values.Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal)).ToArray()
            : [];

    /// <summary>Every metric of <paramref name="phase"/>, in first-seen order.</summary>
    public IReadOnlyList<MetricSeries> AllSeries(string phase) => _phases.TryGetValue(phase, out var series) ? series.Values.ToArray() : [];

    public bool HasPhase(string phase) => _phases.ContainsKey(phase);

    /// <summary>The value of summary.json's <paramref name="key"/> as text, or null.</summary>
    public string? SummaryText(string key) => Summary.FirstOrDefault(p => p.Key == key) is { Key: not null } pair ? Text(pair.Value) : null;

    /// <exception cref="InvalidDataException">A file is missing or malformed; the message names it (and the line).</exception>
    public static RunData Read(string directory)
    {
        var run = new RunData(Path.GetFullPath(directory));
        string metrics = Path.Combine(run.Directory, "metrics.jsonl");
        if (!File.Exists(metrics))
            throw new InvalidDataException($"{metrics} does not exist; a report needs a run directory written by training (runs/<pipeline>-<time>-seed<seed>).");
        ReadLines(metrics, run.AddMetricsLine);
        string samples = Path.Combine(run.Directory, "samples.jsonl");
        if (File.Exists(samples)) ReadLines(samples, run.AddSampleLine);
        ReadObject(Path.Combine(run.Directory, "summary.json"), run.Summary);
        ReadObject(Path.Combine(run.Directory, "options.json"), run.Options);
        string eval = Path.Combine(run.Directory, "eval.json");
        if (File.Exists(eval)) run.HeldOut = Parse(eval, File.ReadAllText(eval), line: null);
        return run;
    }

    /// <summary>A JSON value as the report prints it.</summary>
    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? string.Empty,
        JsonValueKind.Null => "null",
        _ => value.GetRawText(),
    };

    private void AddMetricsLine(JsonElement line)
    {
        string phase = Required(line, "phase").GetString() ?? throw new InvalidDataException("\"phase\" is null");
        if (phase == "eval")
        {
            Evaluations.Add(new RunEvaluation(
                Required(line, "name").GetString() ?? "?",
                line.TryGetProperty("accuracy", out var accuracy) ? accuracy.GetDouble() : double.NaN,
                Required(line, "correct").GetInt32(),
                Required(line, "problems").GetInt32()));
            return;
        }

        double step = Required(line, "step").GetDouble();
        if (!_phases.TryGetValue(phase, out var series)) _phases[phase] = series = new Dictionary<string, MetricSeries>(StringComparer.Ordinal);
        foreach (var property in line.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Number || property.Name is "step" or "total_steps") continue;
            if (!series.TryGetValue(property.Name, out var metric)) series[property.Name] = metric = new MetricSeries(property.Name);
            metric.Add(step, property.Value.GetDouble());
        }
    }

    private void AddSampleLine(JsonElement line)
    {
        string phase = Required(line, "phase").GetString() ?? "?";
        string? name = line.TryGetProperty("name", out var n) ? n.GetString() : null;
        int step = Required(line, "step").GetInt32();
        var rewards = line.TryGetProperty("rewards", out var r)
            ? r.EnumerateObject().Select(p => new KeyValuePair<string, double?>(p.Name, p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : null)).ToArray()
            : [];
        var sample = new SampleLine(
            Required(line, "prompt").GetString() ?? string.Empty,
            Required(line, "completion").GetString() ?? string.Empty,
            Required(line, "correct").GetBoolean(),
            line.TryGetProperty("reward", out var reward) && reward.ValueKind == JsonValueKind.Number ? reward.GetDouble() : null,
            rewards);

        // Consecutive lines of one evaluation form a group.
        if (Samples.Count > 0 && Samples[^1] is var last && last.Phase == phase && last.Name == name && last.Step == step)
        {
            ((List<SampleLine>)last.Samples).Add(sample);
        }
        else
        {
            Samples.Add(new SampleGroup(phase, name, step, new List<SampleLine> { sample }));
        }
    }

    private static JsonElement Required(JsonElement line, string name) =>
        line.TryGetProperty(name, out var value) ? value : throw new InvalidDataException($"the field \"{name}\" is missing");

    private static void ReadLines(string path, Action<JsonElement> add)
    {
        int number = 0;
        foreach (string text in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            var line = Parse(path, text, number);
            try
            {
                add(line);
            }
            catch (Exception exception) when (exception is InvalidOperationException or FormatException or InvalidDataException)
            {
                throw new InvalidDataException($"{path}, line {number}: {exception.Message}", exception);
            }
        }
    }

    private static void ReadObject(string path, List<KeyValuePair<string, JsonElement>> into)
    {
        if (!File.Exists(path)) return;
        var root = Parse(path, File.ReadAllText(path), line: null);
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path} holds a JSON {root.ValueKind}, not an object.");
        foreach (var property in root.EnumerateObject())
        {
            if (property.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array)) into.Add(new(property.Name, property.Value));
        }
    }

    private static JsonElement Parse(string path, string text, int? line)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            string where = line is null ? path : $"{path}, line {line}";
            throw new InvalidDataException($"{where} is not valid JSON: {exception.Message}", exception);
        }
    }
}
