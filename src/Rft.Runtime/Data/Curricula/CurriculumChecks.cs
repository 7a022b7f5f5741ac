namespace Rft.Data.Curricula;

/// <summary>Argument checks shared by the curricula, with messages that say what would be valid.</summary>
internal static class CurriculumChecks
{
    public static void DrawSpans(int records, int sources)
    {
        if (records != sources)
            throw new ArgumentException($"Draw got {records} record slots but {sources} source slots; they must be the same length.");
    }

    public static void FeedbackSpans(int passRates, int advantages, int pending)
    {
        if (passRates != advantages)
            throw new ArgumentException($"Feedback got {passRates} pass rates but {advantages} mean absolute advantages; give one of each per drawn record.");
        if (passRates != pending)
            throw new ArgumentException($"Feedback got {passRates} values but {pending} records were drawn since the last feedback; give one per drawn record, in draw order.");
    }

    public static void MetricSpan(int values, int names)
    {
        if (values < names)
            throw new ArgumentException($"WriteMetrics needs {names} values (one per MetricNames entry); the span has {values}.");
    }

    /// <summary>Named keys give metric names: each key and each name once, names that are not empty.</summary>
    public static void KeyNames(IReadOnlyList<(CurriculumKey Key, string Name)> keyNames)
    {
        var keys = new HashSet<CurriculumKey>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, name) in keyNames)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"Key {key} has an empty name; every named key needs a name for its metrics.", nameof(keyNames));
            if (!keys.Add(key)) throw new ArgumentException($"Key {key} is named twice.", nameof(keyNames));
            if (!names.Add(name)) throw new ArgumentException($"The name '{name}' is given to two keys; metric names must differ.", nameof(keyNames));
        }
    }

    public static void Withdrawn(int index, int pending)
    {
        if ((uint)index >= (uint)pending)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Withdraw got record {index}, but {pending} records were drawn since the last feedback (0..{pending - 1}).");
    }

    public static void Capacity(int value, string name)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
    }
}
