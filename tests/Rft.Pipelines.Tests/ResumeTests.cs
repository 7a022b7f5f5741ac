using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Rft.Pipelines.Tests.Pipelines.Resume;
using Rft.Training;
using static TorchSharp.torch;

namespace Rft.Pipelines.Tests;

/// <summary>
/// A run stopped after any step and resumed from the checkpoint it saved there computes exactly what the uninterrupted run
/// computed: every later step's metrics (wall-clock fields aside) and the final weights are equal, bit for bit.
/// </summary>
public class ResumeTests
{
    // Each pipeline's uninterrupted run, computed once for all the stopping points.
    private static readonly Lazy<Task<Outcome>> WholeEcho = new(() => Run(CreateEcho, stopAt: null, from: null));
    private static readonly Lazy<Task<Outcome>> WholeLora = new(() => Run(CreateLora, stopAt: null, from: null));

    private static IPipelineTrainer CreateEcho() => new ResumeEcho.Trainer(Options.Create(new ResumeEchoOptions()));

    private static IPipelineTrainer CreateLora() => new ResumeLoraEcho.Trainer(Options.Create(new ResumeLoraEchoOptions()));

    [Theory]
    [InlineData(TrainingPhase.Sft, 2)]      // in the warm-up, between two validations
    [InlineData(TrainingPhase.Sft, 6)]      // the warm-up's last step: RL starts from the checkpoint
    [InlineData(TrainingPhase.Rl, 1)]       // right after the reference was copied and the first update
    [InlineData(TrainingPhase.Rl, 5)]
    public async Task A_run_resumed_after_any_step_continues_bit_identical(TrainingPhase phase, int step)
    {
        Func<IPipelineTrainer> create = CreateEcho;
        var whole = await WholeEcho.Value;
        var directory = Path.Combine(Path.GetTempPath(), "rft-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            var first = await Run(create, stopAt: (phase, step), from: null, checkpoint: directory);
            var second = await Run(create, stopAt: null, from: directory);
            Assert.Equal(whole.Lines, first.Lines.Concat(second.Lines));
            Assert.Equal(whole.Weights, second.Weights);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(TrainingPhase.Sft, 3)]
    [InlineData(TrainingPhase.Rl, 2)]
    public async Task Lora_adapters_and_bf16_master_weights_resume_bit_identical(TrainingPhase phase, int step)
    {
        Func<IPipelineTrainer> create = CreateLora;
        var whole = await WholeLora.Value;
        var directory = Path.Combine(Path.GetTempPath(), "rft-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            var first = await Run(create, stopAt: (phase, step), from: null, checkpoint: directory);
            Assert.True(File.Exists(Path.Combine(directory, TrainerCheckpoint.PolicyStateFile)), "LoRA's unmerged parameters were not saved");
            Assert.True(File.Exists(Path.Combine(directory, TrainerCheckpoint.MasterWeightsFile)), "bf16's float32 masters were not saved");
            var second = await Run(create, stopAt: null, from: directory);
            Assert.Equal(whole.Lines, first.Lines.Concat(second.Lines));
            Assert.Equal(whole.Weights, second.Weights);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    private sealed record Outcome(List<string> Lines, Dictionary<string, string> Weights);

    /// <summary>
    /// Trains as the host does (warm-up, then RL; a run resumed in RL skips the warm-up), stopping after <paramref name="stopAt"/>
    /// with a checkpoint in <paramref name="checkpoint"/>, or resuming from <paramref name="from"/>.
    /// </summary>
    private static async Task<Outcome> Run(Func<IPipelineTrainer> create, (TrainingPhase Phase, int Step)? stopAt, string? from, string? checkpoint = null)
    {
        using var trainer = create();
        trainer.Setup();
        var lines = new List<string>();
        bool warmUp = true;
        if (from is not null) warmUp = trainer.LoadCheckpoint(from).RlSteps == 0;
        if (warmUp)
        {
            foreach (var report in trainer.WarmUp(CancellationToken.None))
            {
                lines.Add(Line(report));
                if (stopAt == (TrainingPhase.Sft, report.Step)) return Stop(trainer, lines, checkpoint!);
            }
        }

        await foreach (var report in trainer.TrainAsync(CancellationToken.None))
        {
            lines.Add(Line(report));
            if (stopAt == (TrainingPhase.Rl, report.Step)) return Stop(trainer, lines, checkpoint!);
        }

        var model = (TorchSharp.torch.nn.Module)trainer.GetType().GetField("_policy", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(trainer)!;
        var weights = model.named_parameters().ToDictionary(p => p.name, p => Convert.ToBase64String(p.parameter.cpu().bytes));
        return new Outcome(lines, weights);
    }

    private static Outcome Stop(IPipelineTrainer trainer, List<string> lines, string checkpoint)
    {
        trainer.SaveCheckpoint(checkpoint);
        return new Outcome(lines, []);
    }

    // Every number a step reports but its wall-clock seconds, written exactly.
    private static string Line(StepReport r)
    {
        var line = new StringBuilder().Append(r.Phase).Append(' ').Append(r.Step);
        foreach (double value in new[] { r.Loss, r.LearningRate, r.GradNorm, r.Accuracy, r.Kl, r.Entropy, r.ClipFraction, r.ApproxKl, r.MeanCompletionLength,
                     r.ZeroVarianceGroupShare, r.ValidationAccuracy, r.OptimizerSteps, r.MaskedSamples }.Concat(r.RewardMeans).Concat(r.Extra))
            line.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture));
        return line.ToString();
    }
}
