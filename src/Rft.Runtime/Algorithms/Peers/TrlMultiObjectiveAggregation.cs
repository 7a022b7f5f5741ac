namespace Rft.Algorithms.Peers;

/// <summary>TRL <c>GRPOConfig.multi_objective_aggregation</c>: how several reward functions are combined.</summary>
public enum TrlMultiObjectiveAggregation
{
    /// <summary><c>"sum_then_normalize"</c> (default): weighted NaN-ignoring sum, then group centring and scaling.</summary>
    SumThenNormalize,

    /// <summary><c>"normalize_then_sum"</c>: each function normalised within its group, weighted sum, then batch normalisation.</summary>
    NormalizeThenSum,
}
