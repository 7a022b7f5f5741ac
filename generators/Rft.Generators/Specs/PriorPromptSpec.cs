namespace Rft.Generators.Specs;

/// <summary>[PriorPrompt]: an instruction prepended to training prompts (and evaluation prompts when asked).</summary>
internal sealed record PriorPromptSpec(string Text, bool AtEvaluation);
