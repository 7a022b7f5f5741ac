namespace Rft.Training;

/// <summary>
/// RAFT's selection (Dong et al. 2023, arXiv:2304.06767): in each group of completions of one prompt, keep the
/// <c>topK</c> best by reward, only those scoring at least a threshold when one is set. Masked samples (a NaN score)
/// are never kept; among equal scores the earlier row wins. Host-side, allocation-free.
/// </summary>
public static class RewardRanking
{
    /// <summary>Sets <paramref name="keep"/>[i] to 1 for each kept row and 0 for the others; returns how many were kept.</summary>
    /// <param name="scores">One score per row, groups of <paramref name="groupSize"/> consecutive rows; NaN for a masked sample.</param>
    /// <param name="threshold">The least score a kept row has; NaN: no threshold.</param>
    public static int Keep(ReadOnlySpan<float> scores, int groupSize, int topK, double threshold, Span<float> keep)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        if (scores.Length % groupSize != 0) throw new ArgumentException($"{scores.Length} scores are not whole groups of {groupSize}.", nameof(scores));
        if (keep.Length < scores.Length) throw new ArgumentException($"{keep.Length} slots for {scores.Length} rows.", nameof(keep));
        keep[..scores.Length].Clear();
        int kept = 0;
        for (int start = 0; start < scores.Length; start += groupSize)
        {
            var group = scores.Slice(start, groupSize);
            for (int k = 0; k < Math.Min(topK, groupSize); k++)
            {
                // The best row of the group not yet kept.
                int best = -1;
                for (int i = 0; i < groupSize; i++)
                {
                    if (keep[start + i] != 0 || float.IsNaN(group[i])) continue;
                    if (best < 0 || group[i] > group[best]) best = i;
                }

                if (best < 0 || (!double.IsNaN(threshold) && group[best] < threshold)) break;
                keep[start + best] = 1;
                kept++;
            }
        }

        return kept;
    }
}
