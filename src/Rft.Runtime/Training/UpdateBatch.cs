using Rft.Training.Forward;
using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// What an update reads of a rollout, row-aligned: the sequences, and per completion token the loss mask, the
/// advantages and the old log-probs, plus what only some pipelines compute (reference log-probs, old values and
/// returns for GAE, per-row scores). <see cref="Select"/> takes the rows of one micro-batch.
/// </summary>
/// <param name="Rows">The prompts and completions.</param>
/// <param name="Mask">[rows, T] 1 on valid completion tokens (0 after the stop token and for masked samples).</param>
/// <param name="Advantages">[rows, T].</param>
/// <param name="OldLogProbs">[rows, T] log-probs of the policy that the update starts from (or the sampler's).</param>
public readonly record struct UpdateBatch(SequenceRows Rows, Tensor Mask, Tensor Advantages, Tensor OldLogProbs)
{
    /// <summary>[rows, T] log-probs under the frozen reference, when a term reads them.</summary>
    public Tensor? RefLogProbs { get; init; }

    /// <summary>[rows, T] values before the update (GAE's and the value clip's), with a value head.</summary>
    public Tensor? OldValues { get; init; }

    /// <summary>[rows, T] GAE returns, with a value head.</summary>
    public Tensor? Returns { get; init; }

    /// <summary>[rows] each completion's weighted reward total, when a term reads it.</summary>
    public Tensor? Scores { get; init; }

    /// <summary>[rows, T] log-probs of the policy as this update started, with replay where the old log-probs differ (ReMix's precedent policy).</summary>
    public Tensor? PrecedentLogProbs { get; init; }

    /// <summary>[rows, T] truncated importance weights of replayed rows (verl's TIS), multiplying each token's policy loss.</summary>
    public Tensor? ImportanceWeights { get; init; }

    /// <summary>The rows at <paramref name="index"/> ([rows] long on the batch's device), copied into the caller's dispose scope.</summary>
    public UpdateBatch Select(Tensor index) =>
        new(Rows.Select(index), Mask.index_select(0, index), Advantages.index_select(0, index), OldLogProbs.index_select(0, index))
        {
            RefLogProbs = RefLogProbs?.index_select(0, index),
            OldValues = OldValues?.index_select(0, index),
            Returns = Returns?.index_select(0, index),
            Scores = Scores?.index_select(0, index),
            PrecedentLogProbs = PrecedentLogProbs?.index_select(0, index),
            ImportanceWeights = ImportanceWeights?.index_select(0, index),
        };
}
