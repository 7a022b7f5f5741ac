using static TorchSharp.torch;

namespace Rft.Models.Lora;

/// <summary>
/// The random stream a model's LoRA dropout draws its masks from: one seeded generator per model, on the device of the
/// activations, so two models trained in one process (or a test beside another) never draw from each other's stream and a
/// checkpoint can save and restore it (<c>resume_state.json</c>). <see cref="LoraAdapters.Apply"/> seeds it; until then
/// (a model without adapters draws nothing) dropout would fall back to libtorch's default generator.
/// </summary>
public sealed class DropoutRandom : IDisposable
{
    private Generator? _generator;
    private long _seed;

    /// <summary>The generator, or null while the model has not been seeded.</summary>
    public Generator? Generator => _generator;

    /// <summary>Starts the stream from <paramref name="seed"/> on <paramref name="device"/> (replacing any earlier one).</summary>
    public void Seed(long seed, Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _generator?.Dispose();
        _generator = new Generator((ulong)seed, device);
        _seed = seed;
    }

    /// <summary>
    /// After the model moved to <paramref name="device"/>: a generator on another device starts again from its seed there
    /// (a CPU and a CUDA generator's states have different formats and cannot be carried over).
    /// </summary>
    internal void Follow(Device device)
    {
        if (_generator is not null && _generator.device != device) Seed(_seed, device);
    }

    /// <summary>Inverted dropout of <paramref name="input"/> with drop probability <paramref name="p"/>: kept entries scaled by 1 / (1 - p).</summary>
    internal Tensor Dropout(Tensor input, double p)
    {
        if (_generator is null) return nn.functional.dropout(input, p, training: true);
        using var scope = NewDisposeScope();
        var keep = empty_like(input).bernoulli_(1 - p, _generator);
        return input.mul(keep).div_(1 - p).MoveToOuterDisposeScope();
    }

    /// <summary>The state the next mask is drawn from (a CPU byte tensor).</summary>
    internal Tensor GetState() => _generator?.get_state() ?? get_rng_state();

    /// <summary>Puts back a state <see cref="GetState"/> returned.</summary>
    internal void SetState(Tensor state)
    {
        if (_generator is null) set_rng_state(state);
        else _generator.set_state(state);
    }

    public void Dispose()
    {
        _generator?.Dispose();
        _generator = null;
    }
}
