using System.Globalization;
using Arithmetic;

namespace Rft.CurriculumComparison;

/// <summary>
/// What the two compared pipelines share: the prompt, the demonstration for the warm-up and the rewards.
/// The pipelines differ only in how each RL step picks its problems.
/// </summary>
public static class SharedTask
{
    /// <summary>The prompt: the question and an equals sign.</summary>
    public static string Render(Problem p) => $"{p.Question}=";

    /// <summary>What the supervised warm-up imitates: the answer.</summary>
    public static string Worked(Problem p) => p.Answer.ToString(CultureInfo.InvariantCulture);

    /// <summary>1 for the exact answer, else 0; counted per category while <see cref="CategoryTally"/> is active.</summary>
    public static float Correct(int answer, int digits, Completion c)
    {
        bool correct = c.TryParseInt(out var value) && value == answer;
        CategoryTally.Add(digits, correct);
        return correct ? 1f : 0f;
    }

    /// <summary>1 when the completion ended with the end-of-sequence token.</summary>
    public static float Stopped(Completion c) => c.Finished ? 1f : 0f;
}
