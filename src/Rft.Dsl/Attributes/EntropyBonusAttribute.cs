namespace Rft;

/// <summary>
/// Rewards policy entropy on completion tokens: the loss gets <c>- Coefficient * entropy</c>.
/// Without it, entropy is never computed for the loss.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class EntropyBonusAttribute : Attribute
{
    public EntropyBonusAttribute(double coefficient) => Coefficient = coefficient;

    /// <summary>Coefficient of the entropy bonus.</summary>
    public double Coefficient { get; }
}
