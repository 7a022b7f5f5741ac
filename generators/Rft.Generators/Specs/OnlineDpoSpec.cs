namespace Rft.Generators.Specs;

/// <summary>[OnlineDpo]: DPO on each group's best-versus-worst pair.</summary>
/// <param name="Mode">The <c>Rft.DpoMode</c> member's name, or a number for an undefined value.</param>
internal sealed record OnlineDpoSpec(double Beta, string Mode, int Every, double Weight)
{
    /// <summary>DPO steps alternate with policy-gradient steps (VerIPO); otherwise both terms are in every step.</summary>
    public bool Alternates => Mode != "Combined";
}
