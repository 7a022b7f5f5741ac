using Rft.Models;
using static TorchSharp.torch;

namespace Rft.Rollout;

/// <summary>
/// A static key/value cache, allocated once for the largest batch and sequence and reused by every
/// rollout: per layer, keys and values [maxRows, kvHeads, maxLength, headDim], and one
/// <see cref="AttentionMask"/> shared by all layers (with the two values of the additive bias decoding builds from it).
/// </summary>
/// <remarks>
/// Keys and values are stored slot-minor, [maxRows, kvHeads, headDim, maxLength], and shown transposed. A decoding step
/// multiplies one query row per head by its keys transposed, and its attention weights by its values: over slot-minor
/// storage both batched products read unit-stride rows along the slots, which libtorch's CPU kernels run markedly
/// faster (the rollout bench's tokens/s). Writers see the usual shape and need not know.
/// </remarks>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;

    public KvCache(LlamaConfig config, int maxRows, int maxLength, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (maxLength > config.MaxPositions)
            throw new ArgumentOutOfRangeException(nameof(maxLength), $"maxLength = {maxLength} exceeds the model's MaxPositions = {config.MaxPositions}.");

        MaxRows = maxRows;
        MaxLength = maxLength;
        _keys = new Tensor[config.NumLayers];
        _values = new Tensor[config.NumLayers];
        for (int i = 0; i < config.NumLayers; i++)
        {
            using var keys = zeros([maxRows, config.NumKvHeads, config.HeadDim, maxLength], dtype, device);
            _keys[i] = keys.transpose(2, 3).DetachFromDisposeScope();
            using var values = zeros([maxRows, config.NumKvHeads, config.HeadDim, maxLength], dtype, device);
            _values[i] = values.transpose(2, 3).DetachFromDisposeScope();
        }

        AttentionMask = zeros([maxRows, maxLength], ScalarType.Bool, device).DetachFromDisposeScope();
        Open = zeros([], dtype, device).DetachFromDisposeScope();
        Blocked = full([], double.NegativeInfinity, dtype, device).DetachFromDisposeScope();
    }

    public int MaxRows { get; }
    public int MaxLength { get; }
    public int NumLayers => _keys.Length;

    /// <summary>Keys of layer <paramref name="layer"/>, [maxRows, kvHeads, maxLength, headDim] (a transposed view; see the remarks).</summary>
    public Tensor Keys(int layer) => _keys[layer];

    /// <summary>Values of layer <paramref name="layer"/>, [maxRows, kvHeads, maxLength, headDim] (a transposed view; see the remarks).</summary>
    public Tensor Values(int layer) => _values[layer];

    /// <summary>[maxRows, maxLength] bool, true where a slot holds a real token; the writer of a slot sets it.</summary>
    public Tensor AttentionMask { get; }

    /// <summary>0 in the cache's type, on its device: an additive attention bias's value where a key may be attended.</summary>
    public Tensor Open { get; }

    /// <summary>-inf in the cache's type, on its device: an additive attention bias's value where a key is blocked.</summary>
    public Tensor Blocked { get; }

    public void Dispose()
    {
        foreach (var tensor in _keys) tensor.Dispose();
        foreach (var tensor in _values) tensor.Dispose();
        AttentionMask.Dispose();
        Open.Dispose();
        Blocked.Dispose();
    }
}
