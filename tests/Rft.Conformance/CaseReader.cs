using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Rft.Conformance;

/// <summary>Typed access to one case's params and inputs; remembers what was read so that unknown keys can be reported.</summary>
public sealed class CaseReader(string name, string function, JsonObject parameters, JsonObject inputs)
{
    private readonly HashSet<string> _readParams = [];
    private readonly HashSet<string> _readInputs = [];

    public string Where => $"case '{name}' ({function})";

    public Tensor Input(string key) => OptionalInput(key) ?? throw new ConformanceException($"{Where}: missing input '{key}'.");

    public Tensor? OptionalInput(string key)
    {
        _readInputs.Add(key);
        return inputs.TryGetPropertyValue(key, out var node) && node is not null ? JsonTensors.Read(node, $"{Where}: input '{key}'") : null;
    }

    /// <summary>verl's <c>index</c>: group keys, strings or numbers.</summary>
    public string[] Keys(string key)
    {
        _readInputs.Add(key);
        if (!inputs.TryGetPropertyValue(key, out var node) || node is not JsonArray array)
            throw new ConformanceException($"{Where}: input '{key}' must be an array of group keys (strings or numbers).");
        return array.Select(item => item is JsonValue v && v.TryGetValue<string>(out var s) ? s : item?.ToJsonString() ?? "null").ToArray();
    }

    public double Double(string key, double fallback) => OptionalDouble(key) ?? fallback;

    public double? OptionalDouble(string key)
    {
        _readParams.Add(key);
        return parameters.TryGetPropertyValue(key, out var node) && node is not null ? JsonTensors.Scalar(node, $"{Where}: param '{key}'") : null;
    }

    public double RequiredDouble(string key) => OptionalDouble(key) ?? throw new ConformanceException($"{Where}: missing param '{key}'.");

    public long? OptionalLong(string key) => OptionalDouble(key) is { } d ? checked((long)d) : null;

    public bool Bool(string key, bool fallback)
    {
        _readParams.Add(key);
        if (!parameters.TryGetPropertyValue(key, out var node) || node is null) return fallback;
        return node is JsonValue v && v.TryGetValue<bool>(out var b) ? b
            : throw new ConformanceException($"{Where}: param '{key}' must be true or false, got {node.ToJsonString()}.");
    }

    public string String(string key, string fallback)
    {
        _readParams.Add(key);
        if (!parameters.TryGetPropertyValue(key, out var node) || node is null) return fallback;
        return node is JsonValue v && v.TryGetValue<string>(out var s) ? s
            : throw new ConformanceException($"{Where}: param '{key}' must be a string, got {node.ToJsonString()}.");
    }

    /// <summary>Throws when the case has params or inputs the function never read (a typo would otherwise pass silently).</summary>
    public void RejectUnread()
    {
        var unknownParams = parameters.Select(p => p.Key).Where(k => !_readParams.Contains(k)).ToList();
        var unknownInputs = inputs.Select(p => p.Key).Where(k => !_readInputs.Contains(k)).ToList();
        if (unknownParams.Count > 0)
            throw new ConformanceException($"{Where}: unknown param(s) {string.Join(", ", unknownParams)}; accepted: {string.Join(", ", _readParams.Order())}.");
        if (unknownInputs.Count > 0)
            throw new ConformanceException($"{Where}: unknown input(s) {string.Join(", ", unknownInputs)}; accepted: {string.Join(", ", _readInputs.Order())}.");
    }
}
