using System.Text.Json.Serialization;

namespace Gsm8k;

/// <summary>One GSM8K row: the question and the worked answer, which ends with <c>#### &lt;number&gt;</c>.</summary>
public sealed record Gsm8kProblem(string Question, string Answer);

/// <summary>Source-generated System.Text.Json metadata that binds the JSON Lines rows to <see cref="Gsm8kProblem"/>.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(Gsm8kProblem))]
public sealed partial class Gsm8kJson : JsonSerializerContext;
