using Rft.Models;
using Rft.Models.Lora;
using Rft.Training.Forward;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models;

/// <summary>Recomputing each decoder layer in backward changes what is kept, never the gradients.</summary>
public class GradientCheckpointingTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gradients_with_checkpointing_equal_those_without(bool lora)
    {
        using var scope = NewDisposeScope();
        var plain = Gradients(checkpointing: false, lora, out double plainNext);
        var checkpointed = Gradients(checkpointing: true, lora, out double checkpointedNext);

        Assert.Equal(plain.Keys, checkpointed.Keys);
        Assert.True(plain.Values.Sum(g => g.abs().sum().item<float>()) > 0);
        foreach (var (name, gradient) in plain)
            Assert.True(gradient.allclose(checkpointed[name], rtol: 1e-5, atol: 1e-7), $"{name} differs with checkpointing");

        // LoRA dropout redraws its masks in the recomputation from the forward's generator state, and the state after
        // backward is the one without checkpointing: the rest of the run draws the same numbers.
        Assert.Equal(plainNext, checkpointedNext);
    }

    private static Dictionary<string, Tensor> Gradients(bool checkpointing, bool lora, out double next)
    {
        manual_seed(5);
        var model = TinyModels.Create(seed: 6);
        if (lora) LoraAdapters.Apply(model, new LoraSettings(4, 8, ["q_proj", "v_proj", "up_proj"], Dropout: 0.3), seed: 7);
        model.train();
        model.GradientCheckpointing = checkpointing;
        var ids = randint(1, 16, [3, 7], generator: new Generator(2));
        var rows = new SequenceRows(ids, ones_like(ids, ScalarType.Bool), arange(7).unsqueeze(0).expand(3, 7).contiguous(), PromptLength: 3, CompletionLength: 4);
        var (logProbs, entropy) = PolicyForward.LogProbs(model, rows, 0.8, withEntropy: true);
        (logProbs.mean() - 0.1 * entropy!.mean()).backward();
        next = lora ? rand(1, generator: model.DropoutRandom.Generator).item<float>() : 0;   // the next draw of dropout's own stream
        return model.named_parameters().Where(p => p.parameter.requires_grad)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone().DetachFromDisposeScope());
    }
}
