namespace Rft.Algorithms.Peers;

/// <summary>The <c>GRPOConfig</c> fields and trainer state that TRL's GRPO loss reads.</summary>
/// <param name="LossType">TRL <c>loss_type</c>.</param>
/// <param name="Beta">TRL <c>beta</c>: weight of the k3 KL term; 0 disables it (and the reference log-probs).</param>
/// <param name="EpsilonLow">TRL <c>epsilon</c>: the lower clip range.</param>
/// <param name="EpsilonHigh">TRL <c>epsilon_high</c>; null: <paramref name="EpsilonLow"/>.</param>
/// <param name="Delta">TRL <c>delta</c>: upper cap on the unclipped ratio (two-sided clipping); null: none.</param>
/// <param name="ImportanceSamplingLevel">TRL <c>importance_sampling_level</c>.</param>
/// <param name="MaxCompletionLength">TRL <c>max_completion_length</c> (dr_grpo's divisor); null: the mask's length.</param>
/// <param name="NumItemsInBatch">Global completion-token count (dapo's numerator of the normaliser); null: the mask's sum.</param>
/// <param name="NumProcesses">Accelerate's <c>num_processes</c> (dapo).</param>
/// <param name="CurrentGradientAccumulationSteps">The trainer's divisor for grpo, bnpo and dr_grpo (1 in evaluation).</param>
/// <param name="UseBiasCorrectionKl">TRL <c>use_bias_correction_kl</c>: multiply the KL by the importance ratio.</param>
public sealed record TrlGrpoLossOptions(
    TrlLossType LossType = TrlLossType.Dapo,
    double Beta = 0.0,
    double EpsilonLow = 0.2,
    double? EpsilonHigh = null,
    double? Delta = null,
    ImportanceSamplingLevel ImportanceSamplingLevel = ImportanceSamplingLevel.Token,
    long? MaxCompletionLength = null,
    double? NumItemsInBatch = null,
    int NumProcesses = 1,
    int CurrentGradientAccumulationSteps = 1,
    bool UseBiasCorrectionKl = false);
