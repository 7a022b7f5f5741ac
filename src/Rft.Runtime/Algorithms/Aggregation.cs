using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>Reductions of per-token quantities to a scalar loss.</summary>
public static class Aggregation
{
    /// <summary>
    /// Token mean: the sum over unmasked tokens divided by their count (verl's token-mean:
    /// denominator <c>mask.sum() + 1e-8</c>, so an empty mask gives 0, not NaN).
    /// </summary>
    public static Tensor TokenMean(Tensor values, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var sum = (values * mask).sum();
        return (sum / (mask.sum() + 1e-8)).MoveToOuterDisposeScope();
    }
}
