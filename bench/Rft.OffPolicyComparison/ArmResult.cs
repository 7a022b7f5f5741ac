namespace Rft.OffPolicyComparison;

/// <summary>What one arm of the comparison measured with one seed.</summary>
/// <param name="Name">The arm: grpo, replay, remix, raft or dpo.</param>
/// <param name="Description">How the arm learns, with its settings.</param>
/// <param name="Seed">The RL seed.</param>
/// <param name="RolloutsPerStep">Completions sampled per RL step.</param>
/// <param name="Curve">Held-out accuracy after the warm-up, every EvalEvery RL steps and after the last.</param>
/// <param name="MeanLengths">Each step's mean completion length, for the whipping effect.</param>
/// <param name="FinalMetrics">The last step's extra metrics (the off-policy ones), by name.</param>
/// <param name="Seconds">Wall seconds of the arm's RL phase.</param>
public sealed record ArmResult(
    string Name,
    string Description,
    int Seed,
    int RolloutsPerStep,
    IReadOnlyList<CurvePoint> Curve,
    IReadOnlyList<double> MeanLengths,
    IReadOnlyDictionary<string, double> FinalMetrics,
    double Seconds)
{
    /// <summary>Held-out accuracy after the last RL step.</summary>
    public double FinalAccuracy => Curve[^1].Accuracy;

    /// <summary>The first evaluation at which held-out accuracy reached <paramref name="target"/>, or null.</summary>
    public CurvePoint? FirstReaching(double target) => Curve.FirstOrDefault(p => p.Accuracy >= target);
}
