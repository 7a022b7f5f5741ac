namespace Rft.Generators.Specs;

/// <summary>Held-out evaluation.</summary>
/// <param name="Method">The [EvalSource] method, or null: then records are drawn from the training sources with their own seed.</param>
/// <param name="Count">How many records are evaluated.</param>
internal sealed record EvaluationSpec(string? Method, int Count)
{
    /// <summary>[EvalSource]'s default count.</summary>
    public const int DefaultCount = 500;
}
