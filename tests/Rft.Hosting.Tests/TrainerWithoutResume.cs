using Rft.Training;

namespace Rft.Hosting.Tests;

/// <summary>A trainer generated before resume existed: everything but <see cref="IPipelineTrainer.LoadCheckpoint"/>, which keeps its default.</summary>
public sealed class TrainerWithoutResume(FakeTrainer inner) : IPipelineTrainer
{
    public string PipelineName => inner.PipelineName;

    public bool HasWarmUp => inner.HasWarmUp;

    public void Setup() => inner.Setup();

    public IEnumerable<StepReport> WarmUp(CancellationToken cancellationToken) => inner.WarmUp(cancellationToken);

    public IAsyncEnumerable<StepReport> TrainAsync(CancellationToken cancellationToken) => inner.TrainAsync(cancellationToken);

    public ValueTask<EvaluationResult> EvaluateAsync(string name, CancellationToken cancellationToken) => inner.EvaluateAsync(name, cancellationToken);

    public void SaveCheckpoint(string directory) => inner.SaveCheckpoint(directory);

    public void Dispose() => inner.Dispose();
}
