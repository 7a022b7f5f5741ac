using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// Per-row statistics of the group each row belongs to, groups given by a key per row (verl's
/// <c>id2mean</c>/<c>id2std</c> dictionaries). A singleton group has mean 0 and std 1, as in verl.
/// </summary>
/// <param name="Mean">[B] the mean score of the row's group (0 for a singleton).</param>
/// <param name="Std">[B] the unbiased std of the row's group (1 for a singleton), when asked.</param>
/// <param name="Count">[B] the size of the row's group, in the scores' dtype.</param>
internal sealed record GroupStatistics(Tensor Mean, Tensor? Std, Tensor Count)
{
    public static GroupStatistics Of<TKey>(Tensor scores, IReadOnlyList<TKey> index, bool withStd)
        where TKey : notnull
    {
        long rows = scores.shape[0];
        if (index.Count != rows)
            throw new ArgumentException($"index has {index.Count} entries but there are {rows} rows of rewards; give one group key per row.", nameof(index));

        var groups = new Dictionary<TKey, List<long>>();
        var order = new List<TKey>();
        for (int i = 0; i < index.Count; i++)
        {
            if (!groups.TryGetValue(index[i], out var members))
            {
                groups[index[i]] = members = [];
                order.Add(index[i]);
            }

            members.Add(i);
        }

        var mean = zeros_like(scores);
        var std = withStd ? ones_like(scores) : null;
        var count = zeros_like(scores);
        foreach (var key in order)
        {
            var members = groups[key];
            using var rowsOfGroup = tensor(members.ToArray(), dtype: ScalarType.Int64, device: scores.device);
            count.index_fill_(0, rowsOfGroup, members.Count);
            if (members.Count == 1) continue;
            using var groupScores = scores.index_select(0, rowsOfGroup);
            using var groupMean = groupScores.mean();
            mean.index_put_(groupMean, rowsOfGroup);
            if (std is not null)
            {
                using var groupStd = groupScores.std(unbiased: true);
                std.index_put_(groupStd, rowsOfGroup);
            }
        }

        return new GroupStatistics(mean, std, count);
    }
}
