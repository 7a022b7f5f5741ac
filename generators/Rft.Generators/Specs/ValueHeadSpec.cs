namespace Rft.Generators.Specs;

/// <summary>[ValueHead] with [Gae]: a value head on the policy, trained with the clipped value loss.</summary>
internal sealed record ValueHeadSpec(double Coefficient, double ClipRange, double LearningRate);
