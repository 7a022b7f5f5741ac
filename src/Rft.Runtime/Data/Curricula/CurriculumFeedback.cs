namespace Rft.Data.Curricula;

/// <summary>Turns a step's per-completion results into the per-prompt values <see cref="ICurriculum{T}.Feedback"/> takes.</summary>
public static class CurriculumFeedback
{
    /// <summary>
    /// For each group of <paramref name="groupSize"/> completions (one prompt): the pass rate, the share
    /// of its completions with a finite <paramref name="accuracy"/> of at least 1 (the trainer's rule for
    /// "correct"), and the mean absolute advantage over its completions with a finite advantage. A group
    /// with none gives NaN, which the curricula ignore.
    /// </summary>
    /// <param name="accuracy">The accuracy reward of each completion (NaN where it failed).</param>
    /// <param name="advantages">Each completion's advantage (host copy).</param>
    /// <exception cref="ArgumentException">The inputs are not whole groups of the same length, or the outputs hold fewer values than there are groups.</exception>
    public static void FromGroups(ReadOnlySpan<float> accuracy, ReadOnlySpan<float> advantages, int groupSize, Span<double> passRate, Span<double> meanAbsAdvantage)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 1);
        if (accuracy.Length != advantages.Length || accuracy.Length % groupSize != 0)
            throw new ArgumentException($"{accuracy.Length} accuracies and {advantages.Length} advantages must be the same whole number of groups of {groupSize}.");
        int groups = accuracy.Length / groupSize;
        if (passRate.Length < groups || meanAbsAdvantage.Length < groups)
            throw new ArgumentException($"{groups} groups need {groups} pass rates and mean absolute advantages; the spans hold {passRate.Length} and {meanAbsAdvantage.Length}.");
        for (int g = 0; g < groups; g++)
        {
            int scored = 0, correct = 0, advantaged = 0;
            double absSum = 0;
            for (int i = g * groupSize; i < (g + 1) * groupSize; i++)
            {
                if (float.IsFinite(accuracy[i]))
                {
                    scored++;
                    if (accuracy[i] >= 1f) correct++;
                }

                if (float.IsFinite(advantages[i]))
                {
                    advantaged++;
                    absSum += Math.Abs(advantages[i]);
                }
            }

            passRate[g] = scored == 0 ? double.NaN : (double)correct / scored;
            meanAbsAdvantage[g] = advantaged == 0 ? double.NaN : absSum / advantaged;
        }
    }
}
