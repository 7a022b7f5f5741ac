using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>The mean truncated importance weight of an update's tokens and the share the truncation capped (one device sync).</summary>
/// <param name="Mean">The weights' mean over the tokens in the loss; NaN without weights.</param>
/// <param name="TruncatedShare">The share of those tokens whose weight reached the cap; NaN without weights.</param>
public readonly record struct ImportanceSummary(double Mean, double TruncatedShare)
{
    /// <param name="weights">[rows, T] truncated importance weights, or null when the update has none.</param>
    /// <param name="mask">[rows, T] the tokens in the loss.</param>
    /// <param name="cap">The truncation cap.</param>
    public static ImportanceSummary Of(Tensor? weights, Tensor mask, double cap)
    {
        if (weights is null) return new ImportanceSummary(double.NaN, double.NaN);
        using var scope = NewDisposeScope();
        var valid = mask.detach().gt(0).to(ScalarType.Float32);
        var tokens = valid.sum().clamp_min(1);
        var sums = stack([(weights.detach().to(ScalarType.Float32) * valid).sum() / tokens, (weights.detach().ge(cap).to(ScalarType.Float32) * valid).sum() / tokens]).cpu();
        using var accessor = sums.data<float>();
        return new ImportanceSummary(accessor[0], accessor[1]);
    }
}
