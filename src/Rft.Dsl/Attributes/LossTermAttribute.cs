namespace Rft;

/// <summary>
/// A user loss term: <c>[LossTerm(Weight = 0.1)] public static Tensor Name(StepView s)</c> returns a scalar
/// tensor added to the loss times <see cref="Weight"/>. The generator reads which members of the step view
/// the method uses and computes only those.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class LossTermAttribute : Attribute
{
    /// <summary>Weight of this term in the loss; must be positive (negate inside the term to subtract).</summary>
    public double Weight { get; set; } = 1.0;
}
