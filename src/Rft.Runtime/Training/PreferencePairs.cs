namespace Rft.Training;

/// <summary>
/// Online DPO's pairs from a rollout: in each group of completions of one prompt, the best by reward is preferred to the
/// worst. A group whose valid scores are all equal (or with fewer than two valid ones) gives no pair; among equal
/// scores the earlier row is taken. Host-side, allocation-free.
/// </summary>
public static class PreferencePairs
{
    /// <summary>Writes each pair's rows into <paramref name="chosen"/> and <paramref name="rejected"/>; returns the pair count.</summary>
    /// <param name="scores">One score per row, groups of <paramref name="groupSize"/> consecutive rows; NaN for a masked sample.</param>
    public static int Select(ReadOnlySpan<float> scores, int groupSize, Span<int> chosen, Span<int> rejected)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 2);
        if (scores.Length % groupSize != 0) throw new ArgumentException($"{scores.Length} scores are not whole groups of {groupSize}.", nameof(scores));
        int groups = scores.Length / groupSize;
        if (chosen.Length < groups || rejected.Length < groups) throw new ArgumentException($"The spans hold fewer than the {groups} pairs there may be.");
        int pairs = 0;
        for (int g = 0; g < groups; g++)
        {
            int best = -1, worst = -1, start = g * groupSize;
            for (int i = start; i < start + groupSize; i++)
            {
                if (float.IsNaN(scores[i])) continue;
                if (best < 0 || scores[i] > scores[best]) best = i;
                if (worst < 0 || scores[i] < scores[worst]) worst = i;
            }

            if (best < 0 || scores[best] == scores[worst]) continue;
            chosen[pairs] = best;
            rejected[pairs] = worst;
            pairs++;
        }

        return pairs;
    }
}
