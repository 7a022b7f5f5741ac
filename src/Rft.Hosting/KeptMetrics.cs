using Rft.Training;

namespace Rft.Hosting;

/// <summary>What a resumed run keeps of <c>metrics.jsonl</c>: the lines up to its checkpoint.</summary>
/// <param name="Evaluations">The evaluation lines kept (the warm-up's "sft", when the checkpoint is in RL).</param>
/// <param name="LastStepLine">The last step line kept, without its newline; empty when none was.</param>
/// <param name="LastStep">Where the last step line kept stands; null when none was.</param>
/// <param name="Dropped">Lines after the checkpoint (written by the process that died) that were dropped.</param>
internal sealed record KeptMetrics(
    IReadOnlyList<EvaluationResult> Evaluations, byte[] LastStepLine, CheckpointPosition? LastStep, int Kept, int Dropped);
