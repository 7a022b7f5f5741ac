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
/// <param name="OldLogProbs">[rows, T] log-probs of the policy that the update starts from (or the sampler's); null when the
/// update is on-policy (one epoch of one mini-batch) and each micro-batch takes its own forward's, detached.</param>
public readonly record struct UpdateBatch(SequenceRows Rows, Tensor Mask, Tensor Advantages, Tensor? OldLogProbs)
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

    /// <summary>
    /// The rows at <paramref name="index"/> ([rows] long on the batch's device), copied into the caller's dispose scope, without
    /// the columns that are padding in every one of them: prompts are left-padded to the rollout's longest prompt and
    /// completions right-padded to its longest completion, so a micro-batch of short rows would otherwise compute (and keep
    /// for backward) activations as long as the step's longest row, and its memory would grow with the rows per step.
    /// The dropped columns are masked out of attention and of every loss, so the result is the same; one read of two
    /// numbers per call tells where the rows' tokens start and end (<see cref="SequenceRows.WithoutPaddingColumns"/>).
    /// </summary>
    public UpdateBatch Select(Tensor index)
    {
        var rows = Rows.Select(index).WithoutPaddingColumns();
        int keep = rows.CompletionLength;
        Tensor Columns(Tensor t) => t.index_select(0, index).narrow(1, 0, keep);
        Tensor? Optional(Tensor? t) => t is null ? null : t.dim() == 2 ? Columns(t) : t.index_select(0, index);
        return new(rows, Columns(Mask), Columns(Advantages), Optional(OldLogProbs))
        {
            RefLogProbs = Optional(RefLogProbs),
            OldValues = Optional(OldValues),
            Returns = Optional(Returns),
            Scores = Optional(Scores),
            PrecedentLogProbs = Optional(PrecedentLogProbs),
            ImportanceWeights = Optional(ImportanceWeights),
        };
    }
}
