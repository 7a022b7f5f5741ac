using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// verl's <c>agg_loss</c> (<c>verl/trainer/ppo/core_algos.py</c>): reduce a [B, T] loss matrix to a scalar
/// under a [B, T] mask.
/// </summary>
public static class LossAggregation
{
    /// <summary>The verl spellings, in <see cref="LossAggregationMode"/> order.</summary>
    public static IReadOnlyList<string> ModeNames { get; } = ["token-mean", "seq-mean-token-sum", "seq-mean-token-mean", "seq-mean-token-sum-norm"];

    /// <summary>Parses a verl <c>loss_agg_mode</c> string.</summary>
    /// <exception cref="ArgumentException">For any other string, listing the valid ones.</exception>
    public static LossAggregationMode ParseMode(string name) => name switch
    {
        "token-mean" => LossAggregationMode.TokenMean,
        "seq-mean-token-sum" => LossAggregationMode.SeqMeanTokenSum,
        "seq-mean-token-mean" => LossAggregationMode.SeqMeanTokenMean,
        "seq-mean-token-sum-norm" => LossAggregationMode.SeqMeanTokenSumNorm,
        _ => throw new ArgumentException($"Invalid loss_agg_mode '{name}'; valid: {string.Join(", ", ModeNames)}.", nameof(name)),
    };

    /// <summary>
    /// verl <c>agg_loss</c>:
    /// <list type="bullet">
    /// <item>token-mean: <c>masked_sum(loss, mask) / (batch_num_tokens ?? mask.sum()) * dp_size</c>;</item>
    /// <item>seq-mean-token-sum: per-sequence sums, summed over sequences with at least one masked token,
    /// <c>/ (global_batch_size ?? that sequence count) * dp_size</c>;</item>
    /// <item>seq-mean-token-mean: per-sequence <c>sum / (count + 1e-8)</c>, then as above;</item>
    /// <item>seq-mean-token-sum-norm: <c>sum(loss * mask) / (loss_scale_factor ?? T)</c>, no dp_size.</item>
    /// </list>
    /// Edge cases, as in verl: with local counts an all-zero mask gives 0/0 = NaN in the three mean modes
    /// (verl adds no epsilon there) and 0 in seq-mean-token-sum-norm.
    /// </summary>
    /// <param name="lossMat">[B, T] per-token loss.</param>
    /// <param name="lossMask">[B, T] mask (0/1 or weights).</param>
    public static Tensor Aggregate(Tensor lossMat, Tensor lossMask, LossAggregationMode mode, LossAggregationScale? scale = null)
    {
        scale ??= LossAggregationScale.Local;
        using var scope = NewDisposeScope();
        var mask = lossMask.to_type(lossMat.dtype);
        Tensor loss;
        switch (mode)
        {
            case LossAggregationMode.TokenMean:
            {
                var sum = Masked.Sum(lossMat, mask);
                loss = (scale.BatchNumTokens is { } n ? sum / n : sum / mask.sum()) * scale.DpSize;
                break;
            }
            case LossAggregationMode.SeqMeanTokenSum:
            case LossAggregationMode.SeqMeanTokenMean:
            {
                var counts = mask.sum(-1);                                           // [B]
                var sequenceLoss = (lossMat * mask).sum(-1);                         // [B]
                if (mode == LossAggregationMode.SeqMeanTokenMean) sequenceLoss = sequenceLoss / (counts + Masked.Epsilon);
                var nonEmpty = counts.gt(0).to_type(lossMat.dtype);                 // fully masked sequences do not count
                var sum = Masked.Sum(sequenceLoss, nonEmpty);
                loss = (scale.GlobalBatchSize is { } g ? sum / g : sum / nonEmpty.sum()) * scale.DpSize;
                break;
            }
            case LossAggregationMode.SeqMeanTokenSumNorm:
            {
                double divisor = scale.LossScaleFactor ?? lossMask.shape[^1];
                loss = (lossMat * mask).sum(-1).sum() / divisor;
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, $"Valid modes: {string.Join(", ", ModeNames)}.");
        }

        return loss.MoveToOuterDisposeScope();
    }

    /// <summary><see cref="Aggregate(Tensor, Tensor, LossAggregationMode, LossAggregationScale?)"/> with verl's mode string.</summary>
    public static Tensor Aggregate(Tensor lossMat, Tensor lossMask, string mode, LossAggregationScale? scale = null)
        => Aggregate(lossMat, lossMask, ParseMode(mode), scale);
}
