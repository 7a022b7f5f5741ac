namespace Rft.OffPolicyComparison;

/// <summary>One held-out evaluation of an arm: after <paramref name="Step"/> RL steps (0: right after the warm-up).</summary>
/// <param name="Rollouts">Completions sampled by RL so far (steps x prompts per step x group size).</param>
/// <param name="Accuracy">Greedy exact-match accuracy on the held-out set.</param>
/// <param name="TrainReward">The mean reward of the step's sampled completions (NaN at step 0).</param>
/// <param name="CompletionLength">Mean completion length in tokens of the step's samples (NaN at step 0): the whipping effect's curve.</param>
/// <param name="OptimizerSteps">Optimizer steps so far.</param>
/// <param name="ElapsedSeconds">Seconds of RL (training and evaluation) so far.</param>
public sealed record CurvePoint(int Step, long Rollouts, double Accuracy, double TrainReward, double CompletionLength, long OptimizerSteps, double ElapsedSeconds);
