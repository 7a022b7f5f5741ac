namespace Rft.Generators.Specs;

/// <summary>A [LossTerm] method: <c>static Tensor Method(StepView s)</c>, weighted.</summary>
/// <param name="Reads">The step-view members the method reads (all producible ones when the view escapes).</param>
internal sealed record LossTermSpec(string Method, double Weight, StepQuantity Reads);
