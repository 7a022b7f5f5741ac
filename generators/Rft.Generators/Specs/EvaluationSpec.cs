namespace Rft.Generators.Specs;

/// <summary>Held-out evaluation.</summary>
/// <param name="Method">The [EvalSource] method, or null: then records come from <paramref name="Jsonl"/> or are drawn from the training sources with their own seed.</param>
/// <param name="Count">How many records are evaluated.</param>
/// <param name="Jsonl">The [JsonlEvalSource] file, when declared.</param>
internal sealed record EvaluationSpec(string? Method, int Count, JsonlSpec? Jsonl = null)
{
    /// <summary>[EvalSource]'s default count.</summary>
    public const int DefaultCount = 500;
}
