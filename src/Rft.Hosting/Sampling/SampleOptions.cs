namespace Rft.Hosting.Sampling;

/// <summary>The flags of the <c>sample</c> verb, parsed and checked.</summary>
/// <param name="Model">A policy path for <see cref="Models.PolicyLoader"/>; null means the newest run's checkpoint.</param>
/// <param name="Prompt">The prompt text.</param>
/// <param name="Count">Completions to draw.</param>
/// <param name="Temperature">0 is greedy.</param>
/// <param name="TopP">Nucleus mass in (0, 1].</param>
/// <param name="MaxTokens">New tokens per completion at most; null fills the model's context.</param>
/// <param name="Seed">Seeds the sampling generator.</param>
/// <param name="Chat">Render the prompt as a ChatML user turn (Hugging Face tokenizers only).</param>
/// <param name="Device"><c>cpu</c> or <c>cuda</c>.</param>
internal sealed record SampleOptions(
    string? Model,
    string Prompt,
    int Count = 1,
    double Temperature = 1.0,
    double TopP = 1.0,
    int? MaxTokens = null,
    long Seed = 0,
    bool Chat = false,
    string Device = "cpu");
