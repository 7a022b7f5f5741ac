using Rft.Models;
using Rft.Runtime.Tests.Models;
using Rft.Training;
using Rft.Training.Forward;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Training;

/// <summary>The optimizer's clip, update and reset on native handles (<see cref="Rft.Training.AdamW"/>).</summary>
public class PolicyOptimizerTests
{
    [Fact]
    public void Its_steps_are_TorchSharps_clip_and_AdamW_bit_for_bit_and_allocate_nothing_managed()
    {
        using var scope = NewDisposeScope();
        using var ours = TinyModels.Create(seed: 7);
        using var theirs = TinyModels.Create(seed: 7);
        // Weight decay, a clip that acts (the gradients' norm is above 0.05) and a warm-up + cosine schedule.
        var settings = new OptimizerSettings(3e-3, WeightDecay: 0.1, MaxGradNorm: 0.05, WarmupSteps: 2, TotalSteps: 6, MinLearningRateRatio: 0.1);
        using var optimizer = new PolicyOptimizer(ours, settings);
        var theirParameters = theirs.parameters().Where(p => p.requires_grad).ToArray();
        using var adamW = optim.AdamW(theirParameters, settings.LearningRate, settings.Beta1, settings.Beta2, settings.AdamEpsilon, settings.WeightDecay);

        long stepBytes = 0;
        for (int step = 1; step <= 6; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.ZeroGrad();
            Loss(ours, step).backward();
            long before = GC.GetAllocatedBytesForCurrentThread();
            double norm = optimizer.Step(step);
            if (step > 2) stepBytes = Math.Max(stepBytes, GC.GetAllocatedBytesForCurrentThread() - before);

            adamW.zero_grad();
            Loss(theirs, step).backward();
            double theirNorm = nn.utils.clip_grad_norm_(theirParameters, settings.MaxGradNorm);
            foreach (var group in adamW.ParamGroups) group.LearningRate = optimizer.LearningRate;
            adamW.step();

            Assert.Equal(theirNorm, norm);
            Assert.True(norm > settings.MaxGradNorm, $"the clip must act: norm {norm}");
        }

        var theirNames = theirs.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in ours.named_parameters())
        {
            Assert.True(TensorEquality.Same(parameter, theirNames[name]), $"{name} differs from TorchSharp's AdamW");
        }

        // The reset zeroes every gradient in place.
        optimizer.ZeroGrad();
        Assert.All(optimizer.Parameters, p => Assert.Equal(0f, p.grad!.abs().max().item<float>()));
        // A step's clip and update make nothing on the managed heap (a few bytes of bookkeeping at most).
        Assert.InRange(stepBytes, 0, 512);
    }

    [Fact]
    public void A_resumed_optimizer_goes_on_from_the_saved_moments_and_step_counts()
    {
        using var scope = NewDisposeScope();
        var settings = new OptimizerSettings(3e-3, WeightDecay: 0.01, MaxGradNorm: 1.0, WarmupSteps: 0, TotalSteps: 4, MinLearningRateRatio: 1.0);
        using var straight = TinyModels.Create(seed: 8);
        using var resumed = TinyModels.Create(seed: 8);
        using var first = new PolicyOptimizer(straight, settings);
        using var second = new PolicyOptimizer(resumed, settings);
        string path = Path.Combine(Path.GetTempPath(), $"rft-optimizer-{Guid.NewGuid():N}.dat");
        try
        {
            for (int step = 1; step <= 2; step++)
            {
                Train(straight, first, step);
                Train(resumed, second, step);
            }

            second.Save(path);
            using var reloaded = new PolicyOptimizer(resumed, settings);
            reloaded.Load(path);
            for (int step = 3; step <= 4; step++)
            {
                Train(straight, first, step);
                Train(resumed, reloaded, step);
            }

            var names = resumed.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, parameter) in straight.named_parameters()) Assert.True(TensorEquality.Same(parameter, names[name]), name);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void Train(LlamaForCausalLM model, PolicyOptimizer optimizer, int step)
    {
        using var scope = NewDisposeScope();
        optimizer.ZeroGrad();
        Loss(model, step).backward();
        optimizer.Step(step);
    }

    // The mean log-prob of each row's last three tokens given its first three; the rows change with the step.
    private static Tensor Loss(LlamaForCausalLM model, int step)
    {
        var ids = arange(0, 12, ScalarType.Int64).add(step).remainder(16).view(2, 6);
        var positions = arange(0, 6, ScalarType.Int64).unsqueeze(0).expand(2, 6).contiguous();
        var rows = new SequenceRows(ids, ones_like(ids, ScalarType.Bool), positions, PromptLength: 3, CompletionLength: 3);
        return -PolicyForward.LogProbs(model, rows, 1.0, withEntropy: false).LogProbs.mean();
    }
}
