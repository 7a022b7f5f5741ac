namespace Rft.Algorithms;

/// <summary>Maps the DSL's <see cref="AggregationMode"/> to the runtime's <see cref="LossAggregationMode"/>.</summary>
public static class LossAggregationModes
{
    /// <exception cref="ArgumentOutOfRangeException">For an undefined mode.</exception>
    public static LossAggregationMode Of(AggregationMode mode) => mode switch
    {
        AggregationMode.TokenMean => LossAggregationMode.TokenMean,
        AggregationMode.SeqMeanTokenSum => LossAggregationMode.SeqMeanTokenSum,
        AggregationMode.SeqMeanTokenMean => LossAggregationMode.SeqMeanTokenMean,
        AggregationMode.SeqMeanTokenSumNorm => LossAggregationMode.SeqMeanTokenSumNorm,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, $"Valid modes: {string.Join(", ", Enum.GetNames<AggregationMode>())}."),
    };
}
