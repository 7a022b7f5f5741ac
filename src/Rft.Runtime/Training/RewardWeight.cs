namespace Rft.Training;

/// <summary>How a reward's value enters a completion's weighted total.</summary>
public static class RewardWeight
{
    /// <summary>
    /// <paramref name="weight"/> times <paramref name="value"/>, except that a reward of weight 0 adds exactly
    /// nothing: it is tracked, not rewarded, so even its failure (NaN) neither changes the total nor masks the sample.
    /// </summary>
    public static double Apply(double weight, float value) => weight == 0 ? 0 : weight * value;
}
