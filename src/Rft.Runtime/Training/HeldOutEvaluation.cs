namespace Rft.Training;

/// <summary>A policy's held-out evaluation as the <c>eval</c> verb reports it.</summary>
/// <param name="Problems">Held-out problems evaluated.</param>
/// <param name="RewardNames">The pipeline's rewards, in declaration order.</param>
/// <param name="Greedy">One greedy completion per problem.</param>
/// <param name="Sampled"><see cref="HeldOutEvaluationSettings.Samples"/> sampled completions per problem.</param>
/// <param name="PassAtK">Mean over problems of the unbiased pass@k estimate (<see cref="Training.PassAtK"/>) from the sampled completions.</param>
/// <param name="Examples">The first few problems' greedy completions.</param>
public sealed record HeldOutEvaluation(
    int Problems,
    HeldOutEvaluationSettings Settings,
    IReadOnlyList<string> RewardNames,
    CompletionStatistics Greedy,
    CompletionStatistics Sampled,
    double PassAtK,
    IReadOnlyList<EvaluationSample> Examples,
    double Seconds);
