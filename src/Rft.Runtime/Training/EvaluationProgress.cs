namespace Rft.Training;

/// <summary>How far a held-out evaluation has come: <paramref name="Done"/> of <paramref name="Total"/> problems in <paramref name="Stage"/>.</summary>
/// <param name="Stage"><c>greedy</c> or <c>sampled</c>.</param>
/// <param name="Accuracy">The share of correct completions so far in this stage.</param>
public readonly record struct EvaluationProgress(string Stage, int Done, int Total, double Accuracy);
