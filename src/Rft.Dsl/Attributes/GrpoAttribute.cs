namespace Rft;

/// <summary>
/// GRPO: sample <see cref="GroupSize"/> completions per prompt, normalise rewards within each group,
/// and optimise the clipped surrogate with an asymmetric clip range (DAPO's clip-higher).
/// <see cref="ScaleByStd"/> = false gives Dr.GRPO.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GrpoAttribute : AdvantageEstimatorAttribute
{
    /// <summary>Lower clip range: the ratio is clipped at <c>1 - ClipLow</c>.</summary>
    public double ClipLow { get; set; } = 0.2;

    /// <summary>Upper clip range: the ratio is clipped at <c>1 + ClipHigh</c>.</summary>
    public double ClipHigh { get; set; } = 0.2;

    /// <summary>Divide group-centred rewards by the group's (unbiased) std; false gives Dr.GRPO.</summary>
    public bool ScaleByStd { get; set; } = true;

    /// <summary>Added to the group std before dividing (verl's 1e-6).</summary>
    public double Epsilon { get; set; } = 1e-6;
}
