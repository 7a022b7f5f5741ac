using System.Text.Json.Serialization;

namespace Rft.Runtime.Tests.Data;

/// <summary>Source-generated metadata for the JSONL tests; it leaves required constructor parameters off, as a user's might.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(Gsm8kRow))]
internal sealed partial class TestJsonContext : JsonSerializerContext;
