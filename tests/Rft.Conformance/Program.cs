using System.Text.Json;
using System.Text.Json.Nodes;
using Rft.Conformance;

// dotnet run --project tests/Rft.Conformance -- <cases.json> <out.json>
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Rft.Conformance <cases.json> <out.json>");
    Console.Error.WriteLine($"functions: {string.Join(", ", ConformanceRunner.FunctionNames)}");
    return 2;
}

try
{
    var input = JsonNode.Parse(File.ReadAllText(args[0])) as JsonObject
        ?? throw new ConformanceException($"{args[0]}: the top level must be an object {{\"cases\": [...]}}.");
    var output = ConformanceRunner.Run(input);
    File.WriteAllText(args[1], output.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"{output["cases"]!.AsArray().Count} cases -> {args[1]}");
    return 0;
}
catch (Exception e) when (e is ConformanceException or JsonException or IOException or ArgumentException or NotSupportedException)
{
    Console.Error.WriteLine($"{args[0]}: {e.Message}");
    return 1;
}
