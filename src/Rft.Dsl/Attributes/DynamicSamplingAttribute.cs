namespace Rft;

/// <summary>
/// DAPO's dynamic sampling: groups whose rewards are all equal (no learning signal) are dropped and more
/// prompts are rolled out until the batch is full, at most <see cref="MaxExtraRounds"/> extra rollouts per step.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class DynamicSamplingAttribute : Attribute
{
    /// <summary>Extra rollouts of <c>PromptsPerStep</c> prompts a step may draw; then the step trains on what it has.</summary>
    public int MaxExtraRounds { get; set; } = 3;
}
