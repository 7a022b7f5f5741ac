namespace Rft.CurriculumComparison;

/// <summary>
/// Counts correct answers per difficulty category while <see cref="Active"/> is set. The generated trainer's
/// evaluation reports only the overall count, but it scores each held-out record with the accuracy reward,
/// which receives the record's <c>Digits</c>: the reward tallies here, so per-category accuracy costs no extra
/// decoding. The comparison turns it on only around its own evaluations, never during a training step.
/// </summary>
public static class CategoryTally
{
    private static readonly int[] Seen = new int[4];
    private static readonly int[] Correct = new int[4];

    /// <summary>Whether scored answers are counted.</summary>
    public static bool Active { get; private set; }

    /// <summary>Clears the counts and starts counting.</summary>
    public static void Start()
    {
        Array.Clear(Seen);
        Array.Clear(Correct);
        Active = true;
    }

    /// <summary>Stops counting and returns the accuracy of each category 1..3 (NaN for one not seen).</summary>
    public static double[] Stop()
    {
        Active = false;
        var accuracy = new double[3];
        for (int digits = 1; digits <= 3; digits++)
            accuracy[digits - 1] = Seen[digits] == 0 ? double.NaN : (double)Correct[digits] / Seen[digits];
        return accuracy;
    }

    /// <summary>Counts one scored answer of category <paramref name="digits"/>.</summary>
    public static void Add(int digits, bool correct)
    {
        if (!Active || digits is < 1 or > 3) return;
        Seen[digits]++;
        if (correct) Correct[digits]++;
    }
}
