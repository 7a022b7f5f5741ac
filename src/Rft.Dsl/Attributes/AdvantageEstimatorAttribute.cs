namespace Rft;

/// <summary>
/// The base of the advantage estimators (<see cref="GrpoAttribute"/>, <see cref="RlooAttribute"/>,
/// <see cref="ReinforcePlusPlusAttribute"/>, <see cref="GaeAttribute"/>): a pipeline declares at most one.
/// Every estimator says how a step rolls out: <see cref="PromptsPerStep"/> prompts, <see cref="GroupSize"/>
/// completions of each.
/// </summary>
public abstract class AdvantageEstimatorAttribute : Attribute
{
    /// <summary>Completions sampled per prompt; at least 2 for the group-relative estimators.</summary>
    public int GroupSize { get; set; } = 8;

    /// <summary>Prompts per step; a step rolls out <c>PromptsPerStep * GroupSize</c> completions.</summary>
    public int PromptsPerStep { get; set; } = 8;
}
