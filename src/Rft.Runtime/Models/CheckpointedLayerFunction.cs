using static TorchSharp.torch;

namespace Rft.Models;

/// <summary>
/// Gradient checkpointing of one decoder layer (TorchSharp has no <c>torch.utils.checkpoint</c>): forward runs the
/// layer without recording a graph and keeps only its input; backward runs it again with a graph and back-propagates
/// through that, so the layer's parameters receive their gradients and the input's gradient is returned. As PyTorch's
/// reentrant checkpoint, it restores the state of the generator the layer draws from (the model's
/// <see cref="Lora.DropoutRandom"/>) for the recomputation when the layer draws random numbers (LoRA dropout), so the
/// recomputed activations are the ones of the forward.
/// Inputs: hidden [B, T, D] (must require grad), cos, signed sin, mask, then the layer and the stream it draws from (null when it draws nothing).
/// </summary>
internal sealed class CheckpointedLayerFunction : autograd.MultiTensorFunction<CheckpointedLayerFunction>
{
    private const string LayerKey = "layer", StreamKey = "stream", RandomStateKey = "rng";

    public override string Name => nameof(CheckpointedLayerFunction);

    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (hidden, cos, signedSin, mask) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3]);
        var layer = (LlamaDecoderLayer)vars[4];
        var random = vars[5] as Lora.DropoutRandom;

        ctx.save_for_backward([hidden, cos, signedSin, mask]);
        ctx.save_data(LayerKey, layer);
        if (random is not null)
        {
            ctx.save_data(StreamKey, random);
            ctx.save_data(RandomStateKey, random.GetState().DetachFromDisposeScope());
        }

        using var scope = NewDisposeScope();
        Tensor output;
        bool outer = Lora.AdaptableLinear.InCheckpointedForward;
        Lora.AdaptableLinear.InCheckpointedForward = true;   // a training forward, without a graph: dropout still acts
        try
        {
            using (no_grad()) output = layer.Forward(hidden, cos, signedSin, mask, cachedKeys: null, cachedValues: null, offset: 0);
        }
        finally
        {
            Lora.AdaptableLinear.InCheckpointedForward = outer;
        }

        return [output.MoveToOuterDisposeScope()];
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
    {
        var saved = ctx.get_saved_variables();
        var (hidden, cos, signedSin, mask) = (saved[0], saved[1], saved[2], saved[3]);
        var layer = (LlamaDecoderLayer)ctx.get_data(LayerKey);
        var forwardState = ctx.get_data(RandomStateKey) as Tensor;
        var random = ctx.get_data(StreamKey) as Lora.DropoutRandom;

        using var scope = NewDisposeScope();
        using var current = forwardState is null ? null : random!.GetState();
        try
        {
            if (forwardState is not null) random!.SetState(forwardState);
            using var grad = enable_grad();
            var input = hidden.detach().requires_grad_();
            var output = layer.Forward(input, cos, signedSin, mask, cachedKeys: null, cachedValues: null, offset: 0);
            // Reentrant backward: the layer's parameters accumulate their gradients here; the input's is returned.
            autograd.backward([output], [grad_outputs[0]]);
            return [input.grad!.MoveToOuterDisposeScope(), null!, null!, null!, null!, null!];
        }
        finally
        {
            if (current is not null) random!.SetState(current);
            forwardState?.Dispose();
        }
    }
}
