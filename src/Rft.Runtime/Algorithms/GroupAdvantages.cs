using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>Outcome advantages computed within groups of completions of the same prompt.</summary>
public static class GroupAdvantages
{
    /// <summary>
    /// GRPO: <c>(score - group mean) / (group std + epsilon)</c>, or Dr.GRPO's <c>score - group mean</c>
    /// when <paramref name="scaleByStd"/> is false. Groups are consecutive runs of
    /// <paramref name="groupSize"/> rows; the std is unbiased (torch.std), as in verl, so a group whose
    /// scores are all equal gets advantage 0.
    /// </summary>
    /// <param name="scores">[N] one scalar reward per completion, N a multiple of the group size.</param>
    /// <returns>[N] advantages.</returns>
    public static Tensor Grpo(Tensor scores, int groupSize, double epsilon, bool scaleByStd)
    {
        if (scores.dim() != 1) throw new ArgumentException($"scores must be 1-D, got shape [{string.Join(", ", scores.shape)}].", nameof(scores));
        long n = scores.shape[0];
        if (groupSize < 1 || n % groupSize != 0)
            throw new ArgumentException($"{n} scores cannot be split into groups of {groupSize}.", nameof(groupSize));

        using var scope = NewDisposeScope();
        var grouped = scores.view(-1, groupSize);                  // [N/G, G]
        if (groupSize == 1)
        {
            // verl: a singleton group has mean 0 and std 1.
            var single = scaleByStd ? scores / (1.0 + epsilon) : scores.clone();
            return single.MoveToOuterDisposeScope();
        }

        var mean = grouped.mean(new long[] { 1 }, keepdim: true);   // [N/G, 1]
        var centred = grouped - mean;
        if (scaleByStd)
        {
            var std = grouped.std(1, unbiased: true, keepdim: true);
            centred = centred / (std + epsilon);
        }

        return centred.reshape(n).MoveToOuterDisposeScope();
    }
}
