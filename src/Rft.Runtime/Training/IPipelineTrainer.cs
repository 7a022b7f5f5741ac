namespace Rft.Training;

/// <summary>
/// The lifecycle of a compiled pipeline's trainer, driven by the host in this order:
/// <see cref="Setup"/>, <see cref="WarmUp"/>, <see cref="EvaluateAsync"/> ("sft"),
/// <see cref="TrainAsync"/>, <see cref="EvaluateAsync"/> ("rl"), <see cref="SaveCheckpoint"/>.
/// Cancellation is cooperative: a phase finishes the step it is in, then returns.
/// </summary>
public interface IPipelineTrainer : IDisposable
{
    /// <summary>The pipeline class's name.</summary>
    string PipelineName { get; }

    /// <summary>Builds tokenizer, policy, optimizer and buffers; called once, before anything else.</summary>
    void Setup();

    /// <summary>
    /// Tells the trainer the run's own directory before <see cref="Setup"/>, where it writes what it logs beside the
    /// metrics (the rollouts of <c>--Rft:DumpRollouts</c>); without it a trainer writes under <c>Rft:RunDirectory</c>.
    /// </summary>
    void UseRunDirectory(string directory)
    {
    }

    /// <summary>True when the pipeline declares a supervised warm-up.</summary>
    bool HasWarmUp { get; }

    /// <summary>The supervised warm-up, one report per step (the same instance, overwritten).</summary>
    IEnumerable<StepReport> WarmUp(CancellationToken cancellationToken);

    /// <summary>The RL phase, one report per step (the same instance, overwritten).</summary>
    IAsyncEnumerable<StepReport> TrainAsync(CancellationToken cancellationToken);

    /// <summary>Greedy exact-match accuracy on the held-out records.</summary>
    ValueTask<EvaluationResult> EvaluateAsync(string name, CancellationToken cancellationToken);

    /// <summary>Writes model weights, optimizer state and trainer state (step, RNG) under <paramref name="directory"/>.</summary>
    void SaveCheckpoint(string directory);

    /// <summary>
    /// Facts about the run the trainer knows (parameter counts, the trainable share under LoRA, the memory a
    /// pretrained policy took to load), written to <c>summary.json</c> under their names. Read after <see cref="Setup"/>
    /// and again at the end.
    /// </summary>
    IReadOnlyList<KeyValuePair<string, double>> RunFacts => [];
}
