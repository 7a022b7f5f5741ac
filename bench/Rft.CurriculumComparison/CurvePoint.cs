namespace Rft.CurriculumComparison;

/// <summary>One held-out evaluation of an arm: after <paramref name="Step"/> RL steps (0: right after the warm-up).</summary>
/// <param name="Step">RL steps done.</param>
/// <param name="Rollouts">Completions sampled by RL so far (steps x prompts per step x group size).</param>
/// <param name="Accuracy">Greedy exact-match accuracy on the whole held-out set.</param>
/// <param name="CategoryAccuracy">The same for the 1-, 2- and 3-digit problems.</param>
/// <param name="IntervalCategoryShares">Share of the RL prompts since the previous evaluation drawn from each category (NaN at step 0).</param>
/// <param name="SecValues">SEC's value Q of each category's arm after this step (NaN for the uniform arm or an arm not yet discovered).</param>
/// <param name="ElapsedSeconds">Seconds of RL (training and evaluation) so far.</param>
public sealed record CurvePoint(
    int Step,
    long Rollouts,
    double Accuracy,
    double[] CategoryAccuracy,
    double[] IntervalCategoryShares,
    double[] SecValues,
    double ElapsedSeconds);
