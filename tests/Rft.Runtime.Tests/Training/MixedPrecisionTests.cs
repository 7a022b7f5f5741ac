using Rft.Algorithms;
using Rft.Models;
using Rft.Runtime.Tests.Models;
using Rft.Training;
using Rft.Training.Forward;
using Rft.Rollout;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Training;

/// <summary>bfloat16 weights and activations with float32 master weights, AdamW state, log-probs and losses.</summary>
public class MixedPrecisionTests
{
    [Fact]
    public void A_bf16_model_trains_through_float32_masters_whose_rounding_is_the_model()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 4).MoveTo(CPU, ScalarType.BFloat16);
        using var optimizer = new PolicyOptimizer(model, new OptimizerSettings(1e-2, 0.0, 1.0, 0, 10, 1.0));
        Assert.True(optimizer.HasMasterWeights);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));

        var masters = new List<TorchSharp.Modules.Parameter>();
        using (PolicyOptimizer.ObserveGradients(parameters => masters.AddRange(parameters)))
        {
            optimizer.ZeroGrad();
            Loss(model).backward();
            optimizer.AccumulateGradients();
            optimizer.Step(1);
        }

        Assert.Equal(optimizer.Parameters.Count, masters.Count);
        bool finer = false;
        for (int i = 0; i < masters.Count; i++)
        {
            Assert.Equal(ScalarType.Float32, masters[i].dtype);
            Assert.Equal(ScalarType.Float32, masters[i].grad!.dtype);
            // The model holds the masters rounded to bfloat16 ...
            var rounded = masters[i].to(ScalarType.BFloat16).to(ScalarType.Float32);
            Assert.True(optimizer.Parameters[i].to(ScalarType.Float32).eq(rounded).all().item<bool>());
            finer |= !masters[i].eq(rounded).all().item<bool>();
        }

        // ... and the masters keep what bfloat16 cannot hold, so small updates are not lost.
        Assert.True(finer, "the float32 masters hold nothing beyond the bf16 weights");
    }

    [Fact]
    public void Micro_batch_gradients_accumulate_in_float32_not_in_bfloat16()
    {
        using var scope = NewDisposeScope();
        var (ids, positions) = Batch(rows: 6);

        // The float32 master gradients one step applies, from a fresh bf16 model each time.
        List<Tensor> Gradients(int micro)
        {
            using var model = TinyModels.Create(seed: 4).MoveTo(CPU, ScalarType.BFloat16);
            using var optimizer = new PolicyOptimizer(model, new OptimizerSettings(1e-2, 0.0, 0.0, 0, 10, 1.0));
            var grads = new List<Tensor>();
            using var observe = PolicyOptimizer.ObserveGradients(ps => grads.AddRange(ps.Select(p => p.grad!.clone().DetachFromDisposeScope())));
            optimizer.ZeroGrad();
            for (int start = 0; start < 6; start += micro)
            {
                // Each micro-batch's share of the batch's mean.
                (Loss(model, ids.narrow(0, start, micro), positions.narrow(0, start, micro)) * micro / 6.0).backward();
                optimizer.AccumulateGradients();
            }

            optimizer.Step(1);
            return grads;
        }

        var whole = Gradients(6);
        var parts = Gradients(2);
        Assert.All(parts, g => Assert.Equal(ScalarType.Float32, g.dtype));
        for (int i = 0; i < whole.Count; i++)
        {
            // bf16 activations differ with the batch's shape only by rounding.
            double reference = whole[i].norm().item<float>();
            double difference = (whole[i] - parts[i]).norm().item<float>();
            Assert.True(difference <= 2e-2 * Math.Max(reference, 1e-3), $"parameter {i}: {difference} against {reference}");
        }
    }

    [Fact]
    public void Fused_log_probs_of_bf16_hidden_states_are_float32_and_close_to_the_float32_computation()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var hidden = randn([2, 5, 16], generator: generator);
        var weight = randn([40, 16], generator: generator) * 0.3;
        var targets = randint(0, 40, [2, 5], generator: generator);
        var (expected, expectedEntropy) = FusedLogProbs.Compute(hidden, weight, targets, 1.0, withEntropy: true);

        var lowHidden = hidden.to(ScalarType.BFloat16).requires_grad_();
        var lowWeight = weight.to(ScalarType.BFloat16).requires_grad_();
        var (logProbs, entropy) = FusedLogProbs.Compute(lowHidden, lowWeight, targets, 1.0, withEntropy: true);
        Assert.Equal(ScalarType.Float32, logProbs.dtype);
        Assert.Equal(ScalarType.Float32, entropy!.dtype);
        Assert.True(logProbs.allclose(expected, rtol: 0, atol: 0.1), "bf16 inputs round the logits, not the softmax");
        Assert.True(entropy.allclose(expectedEntropy!, rtol: 0, atol: 0.1));

        (logProbs.sum() + entropy.sum()).backward();
        Assert.Equal(ScalarType.BFloat16, lowHidden.grad!.dtype);
        Assert.Equal(ScalarType.BFloat16, lowWeight.grad!.dtype);
    }

    private static (Tensor Ids, Tensor Positions) Batch(int rows)
    {
        var ids = randint(1, 16, [rows, 6], generator: new Generator(9));
        var positions = arange(6).unsqueeze(0).expand(rows, 6).contiguous();
        return (ids, positions);
    }

    private static Tensor Loss(LlamaForCausalLM model) => Loss(model, Batch(3).Ids, Batch(3).Positions);

    // The mean log-prob of the second half of each row given the first.
    private static Tensor Loss(LlamaForCausalLM model, Tensor ids, Tensor positions)
    {
        var rows = new SequenceRows(ids, ones_like(ids, ScalarType.Bool), positions, PromptLength: 3, CompletionLength: 3);
        return -PolicyForward.LogProbs(model, rows, 1.0, withEntropy: false).LogProbs.mean();
    }
}
