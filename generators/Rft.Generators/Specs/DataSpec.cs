namespace Rft.Generators.Specs;

/// <summary>What decides the next batch beyond the mixture: curriculum, filters, dynamic sampling, prior prompt.</summary>
/// <param name="DynamicSamplingRounds">[DynamicSampling]'s extra rollouts per step, or null when not declared.</param>
internal sealed record DataSpec(CurriculumSpec? Curriculum, PassRateFilterSpec? Filter, int? DynamicSamplingRounds, PriorPromptSpec? PriorPrompt)
{
    public static DataSpec None { get; } = new(null, null, null, null);
}
