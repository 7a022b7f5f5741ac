namespace Rft.Generators.Specs;

/// <summary>[EntropyBonus]: <c>Coefficient * entropy</c> subtracted from the loss.</summary>
internal sealed record EntropyBonusSpec(double Coefficient);
