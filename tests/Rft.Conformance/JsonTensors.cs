using System.Globalization;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Rft.Conformance;

/// <summary>
/// Nested JSON number arrays to float64 tensors and back. Non-finite numbers are strings ("NaN",
/// "Infinity", "-Infinity"); booleans read as 0/1 and bool tensors are written as booleans.
/// </summary>
public static class JsonTensors
{
    public static Tensor Read(JsonNode? node, string what)
    {
        var values = new List<double>();
        var shape = new List<long>();
        Walk(node, 0, shape, values, what);
        return tensor(values.ToArray(), dtype: ScalarType.Float64).reshape(shape.ToArray());
    }

    public static JsonNode? Write(Tensor? value)
    {
        if (value is null) return null;
        using var scope = NewDisposeScope();
        var flat = value.detach().cpu().contiguous();
        if (flat.dtype == ScalarType.Bool)
        {
            var bools = flat.data<bool>().ToArray();
            int b = 0;
            return Build(flat.shape, 0, () => JsonValue.Create(bools[b++]));
        }

        var doubles = flat.to_type(ScalarType.Float64).data<double>().ToArray();
        int i = 0;
        return Build(flat.shape, 0, () => Number(doubles[i++]));
    }

    public static JsonNode Number(double x) => double.IsFinite(x) ? JsonValue.Create(x)
        : JsonValue.Create(double.IsNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity");

    private static JsonNode Build(long[] shape, int depth, Func<JsonNode> next)
    {
        if (depth == shape.Length) return next();
        var array = new JsonArray();
        for (long k = 0; k < shape[depth]; k++) array.Add(Build(shape, depth + 1, next));
        return array;
    }

    private static void Walk(JsonNode? node, int depth, List<long> shape, List<double> values, string what)
    {
        if (node is JsonArray array)
        {
            if (shape.Count == depth) shape.Add(array.Count);
            else if (shape[depth] != array.Count)
                throw new ConformanceException($"{what}: ragged array, a dimension {depth} of length {array.Count} where {shape[depth]} was seen before.");
            foreach (var item in array) Walk(item, depth + 1, shape, values, what);
            return;
        }

        if (shape.Count != depth)
            throw new ConformanceException($"{what}: a scalar at depth {depth} where arrays of depth {shape.Count} were seen.");
        values.Add(Scalar(node, what));
    }

    public static double Scalar(JsonNode? node, string what)
    {
        if (node is JsonValue value)
        {
            if (value.TryGetValue<double>(out var number)) return number;
            if (value.TryGetValue<bool>(out var flag)) return flag ? 1 : 0;
            if (value.TryGetValue<string>(out var text))
            {
                switch (text)
                {
                    case "NaN" or "nan": return double.NaN;
                    case "Infinity" or "inf": return double.PositiveInfinity;
                    case "-Infinity" or "-inf": return double.NegativeInfinity;
                }

                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)) return parsed;
            }
        }

        throw new ConformanceException($"{what}: expected a number (or \"NaN\", \"Infinity\", \"-Infinity\"), got {node?.ToJsonString() ?? "null"}.");
    }
}
