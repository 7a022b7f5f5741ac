namespace Rft.Algorithms;

/// <summary>verl's <c>loss_agg_mode</c> values (see <see cref="LossAggregation"/>).</summary>
public enum LossAggregationMode
{
    /// <summary><c>token-mean</c>: the sum over masked tokens divided by their count.</summary>
    TokenMean,

    /// <summary><c>seq-mean-token-sum</c>: each sequence's token sum, averaged over non-empty sequences.</summary>
    SeqMeanTokenSum,

    /// <summary><c>seq-mean-token-mean</c>: each sequence's token mean, averaged over non-empty sequences.</summary>
    SeqMeanTokenMean,

    /// <summary><c>seq-mean-token-sum-norm</c>: the total token sum divided by a constant (Dr.GRPO).</summary>
    SeqMeanTokenSumNorm,
}
