namespace Rft.CurriculumComparison;

/// <summary>What one arm of the comparison measured.</summary>
/// <param name="Name">The arm: "uniform" or "sec".</param>
/// <param name="Curriculum">How the arm draws its problems, with its parameters.</param>
/// <param name="RolloutsPerStep">Completions sampled per RL step.</param>
/// <param name="Curve">Held-out accuracy after the warm-up, every EvalEvery RL steps and after the last.</param>
/// <param name="CategoryShares">Share of all RL prompts drawn from each category (1, 2, 3 digits) over the whole run.</param>
/// <param name="FinalMetrics">The last step's extra metrics (per-source shares and accuracies, SEC arms), by name.</param>
public sealed record ArmResult(
    string Name,
    string Curriculum,
    int RolloutsPerStep,
    IReadOnlyList<CurvePoint> Curve,
    double[] CategoryShares,
    IReadOnlyDictionary<string, double> FinalMetrics)
{
    /// <summary>Held-out accuracy after the last RL step.</summary>
    public double FinalAccuracy => Curve[^1].Accuracy;

    /// <summary>The first evaluation at which held-out accuracy reached <paramref name="target"/>, or null.</summary>
    public CurvePoint? FirstReaching(double target) => Curve.FirstOrDefault(p => p.Accuracy >= target);
}
