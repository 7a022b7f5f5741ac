namespace Rft.Algorithms;

/// <summary>
/// The optional normalisers of verl's <c>agg_loss</c> (its <c>global_batch_info</c>), which make a
/// micro-batch's loss invariant to data parallelism. Null means "this micro-batch's own count".
/// </summary>
/// <param name="DpSize">Data-parallel world size; the loss is multiplied by it.</param>
/// <param name="BatchNumTokens">Valid tokens in the global batch (token-mean's denominator).</param>
/// <param name="GlobalBatchSize">Sequences in the global batch (the seq-mean modes' denominator).</param>
/// <param name="LossScaleFactor">seq-mean-token-sum-norm's divisor; null: the mask's last dimension.</param>
public sealed record LossAggregationScale(int DpSize = 1, double? BatchNumTokens = null, double? GlobalBatchSize = null, double? LossScaleFactor = null)
{
    /// <summary>A single process with local counts.</summary>
    public static LossAggregationScale Local { get; } = new();
}
