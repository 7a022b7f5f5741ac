using Rft.Hosting.TensorBoard;
using Rft.Training;

namespace Rft.Hosting.Tests;

public sealed class AllocationTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Reporting_a_step_allocates_nothing_on_the_managed_heap()
    {
        var report = new StepReport(TrainingPhase.Rl, ["Correct", "Stopped"])
        {
            TotalSteps = 100_000, Loss = -0.0123, LearningRate = 3e-5, Accuracy = 0.41, Entropy = 0.87,
        };
        using var metrics = new MetricsWriter(Path.Combine(_root.Path, "metrics.jsonl"));
        using var tensorBoard = new TensorBoardWriter(_root.Path, TimeProvider.System);
        var progress = new ConsoleProgress(TextWriter.Null, logEvery: 1_000_000);
        progress.BeginPhase();
        Step(1);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var step = 2; step <= 1000; step++)
        {
            Step(step);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1000, File.ReadLines(Path.Combine(_root.Path, "metrics.jsonl")).Count());
        Assert.Equal(1 + 1000, TensorBoard.EventFileReader.Read(tensorBoard.Path).Count);

        void Step(int step)
        {
            report.Step = step;
            report.RewardMeans[0] = step * 1e-3;
            metrics.WriteStep(report);
            tensorBoard.WriteStep(report);
            progress.Step(report);
        }
    }
}
