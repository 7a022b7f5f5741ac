namespace Rft;

/// <summary>How per-token losses become one number (verl's <c>loss_agg_mode</c>).</summary>
public enum AggregationMode
{
    /// <summary>token-mean: the sum over completion tokens divided by their count.</summary>
    TokenMean,

    /// <summary>seq-mean-token-sum: each completion's token sum, averaged over completions.</summary>
    SeqMeanTokenSum,

    /// <summary>seq-mean-token-mean: each completion's token mean, averaged over completions.</summary>
    SeqMeanTokenMean,

    /// <summary>seq-mean-token-sum-norm: the total token sum divided by MaxNewTokens (Dr.GRPO's constant).</summary>
    SeqMeanTokenSumNorm,
}
