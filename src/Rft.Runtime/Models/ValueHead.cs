using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rft.Models;

/// <summary>
/// PPO's value head: one linear layer from the policy's final (normed) hidden state to a scalar value per
/// position, as TRL's <c>AutoModelForCausalLMWithValueHead</c> (<c>v_head.summary</c>). It shares the policy's
/// trunk, so the value loss also shapes the policy's hidden states.
/// </summary>
public sealed class ValueHead : nn.Module<Tensor, Tensor>
{
    private readonly Linear summary;

    private ValueHead(long hiddenSize) : base(nameof(ValueHead))
    {
        summary = nn.Linear(hiddenSize, 1, hasBias: true, device: CPU);
        RegisterComponents();
    }

    /// <summary>
    /// A float32 head with weights from N(0, <see cref="LlamaForCausalLM.InitializerRange"/>) drawn from <paramref name="seed"/> on the
    /// CPU and a zero bias, then moved to <paramref name="device"/> (null: the CPU).
    /// </summary>
    public static ValueHead Create(long hiddenSize, long seed, Device? device = null)
    {
        var head = new ValueHead(hiddenSize);
        using (var generator = new Generator((ulong)seed))
        using (no_grad())
        {
            head.summary.weight!.normal_(0, LlamaForCausalLM.InitializerRange, generator);
            head.summary.bias!.zero_();
        }

        if (device is not null && device.type != DeviceType.CPU) head.to(device);
        return head;
    }

    /// <param name="hidden">[..., D] hidden states.</param>
    /// <returns>[...] values.</returns>
    public override Tensor forward(Tensor hidden) => summary.forward(hidden).squeeze(-1);
}
