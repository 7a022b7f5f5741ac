using Microsoft.Extensions.Options;
using Rft.Pipelines.Tests.Pipelines;
using Rft.Pipelines.Tests.Pipelines.Update;
using Rft.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Pipelines.Tests;

/// <summary>Runs alone: it changes TorchSharp's process-wide default device.</summary>
[CollectionDefinition(nameof(DefaultDeviceCollection), DisableParallelization = true)]
public sealed class DefaultDeviceCollection;

/// <summary>
/// Proves, on a CPU-only libtorch, that a generated trainer creates every tensor on its configured device: TorchSharp's
/// default device is set to <c>meta</c> (tensors without storage) while the trainer is told <c>Rft:Device = cpu</c>. A tensor
/// created anywhere in setup, warm-up, rollout, scoring, the update or evaluation without naming the device lands on
/// <c>meta</c>, and the first operation that meets it together with the real tensors, or reads it, throws. A whole run
/// finishing therefore shows that each creation names the configured device (or derives from a tensor that lives there),
/// so with <c>Rft:Device = cuda</c> they are all on the GPU. Host copies the design wants (token ids read back for the
/// rewards, staging of prompt ids) name the CPU explicitly and are documented where they happen.
/// </summary>
[Collection(nameof(DefaultDeviceCollection))]
public class DefaultDeviceTrapTests
{
    [Fact]
    public async Task Every_tensor_of_a_run_is_created_on_the_configured_device_not_the_default_one()
    {
        using var trap = new DefaultDevice(META);

        // Warm-up, CHORD-free SFT term, KL, entropy, several epochs and mini-batches in micro-batches.
        await Run(new SftUpdate.Trainer(Options.Create(new SftUpdateOptions { Device = "cpu", PpoEpochs = 2, MiniBatches = 2, MicroBatchSize = 5, Steps = 2 })));
        // A value head, GAE and the value clip.
        await Run(new GaeUpdate.Trainer(Options.Create(new GaeUpdateOptions { Device = "cpu", PpoEpochs = 2, MiniBatches = 3, MicroBatchSize = 2, Steps = 2 })));
        // DAPO's rounds and the rollout accumulator.
        await Run(new DapoEcho.Trainer(Options.Create(new DapoEchoOptions { Device = "cpu", Steps = 2, MicroBatchSize = 4 })));
        // bfloat16 weights with float32 masters.
        await Run(new GrpoUpdate.Trainer(Options.Create(new GrpoUpdateOptions { Device = "cpu", Precision = Precision.Bf16, MicroBatchSize = 4, Steps = 2 })));

        Assert.Equal(DeviceType.META, get_default_device().type);
    }

    [Fact]
    public async Task The_trap_catches_a_tensor_created_without_a_device()
    {
        using var trap = new DefaultDevice(META);
        using var onCpu = ones(3, device: CPU);
        using var created = zeros(3);                  // no device named: the trap's
        Assert.Equal(DeviceType.META, created.device_type);
        Assert.ThrowsAny<Exception>(() => (onCpu + created).Dispose());
        await Task.CompletedTask;
    }

    private static async Task Run(IPipelineTrainer trainer)
    {
        using (trainer)
        {
            trainer.Setup();
            foreach (var report in trainer.WarmUp(CancellationToken.None)) Assert.True(double.IsFinite(report.Loss));
            await foreach (var report in trainer.TrainAsync(CancellationToken.None)) Assert.True(double.IsFinite(report.Loss) || report.OptimizerSteps == 0);
            var evaluation = await trainer.EvaluateAsync("rl", CancellationToken.None);
            Assert.InRange(evaluation.Accuracy, 0, 1);
        }
    }

    /// <summary>Sets TorchSharp's default device and restores the CPU on dispose.</summary>
    private sealed class DefaultDevice : IDisposable
    {
        public DefaultDevice(Device device) => set_default_device(device);

        public void Dispose() => set_default_device(CPU);
    }
}
