using static TorchSharp.torch;

namespace Rft.Models;

/// <summary>
/// Rotary position tables for every position up to <see cref="LlamaConfig.MaxPositions"/>, looked up by
/// position id so left-padded rows rotate their real tokens exactly as unpadded ones. Not a module:
/// Hugging Face checkpoints do not store these tables, so they stay out of the state dict.
/// </summary>
/// <remarks>
/// Hugging Face's <c>rotate_half(x) = cat(-x2, x1)</c> equals <c>roll(x, d/2)</c> times the sign
/// pattern <c>(-1..., +1...)</c>; the sign is folded into the sine table so applying the rotation
/// costs one roll, two multiplications and an addition.
/// </remarks>
public sealed partial class RotaryEmbedding : IDisposable
{
    private readonly int _headDim;
    private readonly double _theta;
    private readonly RopeScaling? _dynamic;   // dynamic NTK scaling that the tables' length can reach, else null
    private Tensor _cos;          // [MaxPositions, headDim]
    private Tensor _signedSin;    // [MaxPositions, headDim], first half negated

    public RotaryEmbedding(LlamaConfig config)
    {
        _headDim = config.HeadDim;
        _theta = config.RopeTheta;
        // Dynamic scaling changes nothing until a sequence outgrows the original context.
        _dynamic = config.RopeScaling is { Type: RopeScalingType.Dynamic } d && config.MaxPositions > d.OriginalMaxPositions ? d : null;
        // The tables hold the frequencies of a sequence no longer than the original context (dynamic: unscaled).
        var inverse = RopeScaling.InverseFrequencies(_headDim, _theta, config.RopeScaling, sequenceLength: 0);
        var (cos, sin) = Tables(inverse, 0, config.MaxPositions);
        _cos = tensor(cos, [config.MaxPositions, _headDim], device: CPU).DetachFromDisposeScope();
        _signedSin = tensor(sin, [config.MaxPositions, _headDim], device: CPU).DetachFromDisposeScope();
    }

    /// <summary>The tables at <paramref name="positionIds"/> [B, T], shaped [B, T, 1, headDim] to broadcast over heads.</summary>
    public (Tensor Cos, Tensor SignedSin) Lookup(Tensor positionIds, ScalarType dtype)
    {
        if (_cos.device_type != positionIds.device_type || _cos.device_index != positionIds.device_index || _cos.dtype != dtype)
        {
            Move(positionIds.device, dtype);
        }

        long b = positionIds.shape[0], t = positionIds.shape[1];
        var flat = positionIds.reshape(-1);
        if (_dynamic is not null)
        {
            // transformers' dynamic_rope_update: the sequence length is the largest position id plus one (a host sync).
            int length = (int)flat.max().item<long>() + 1;
            if (length > _dynamic.OriginalMaxPositions)
            {
                var inverse = RopeScaling.InverseFrequencies(_headDim, _theta, _dynamic, length);
                var (cos, sin) = Tables(inverse, 0, length);
                var cosTable = tensor(cos, [length, _headDim], device: CPU).to(dtype, positionIds.device);
                var sinTable = tensor(sin, [length, _headDim], device: CPU).to(dtype, positionIds.device);
                return (cosTable.index_select(0, flat).view(b, t, 1, _headDim), sinTable.index_select(0, flat).view(b, t, 1, _headDim));
            }
        }

        return (_cos.index_select(0, flat).view(b, t, 1, _headDim), _signedSin.index_select(0, flat).view(b, t, 1, _headDim));
    }

    // cos and signed sin of position * inv_freq for positions [from, to), angles in float64, stored as float32.
    private (float[] Cos, float[] SignedSin) Tables(double[] inverse, int from, int to)
    {
        int half = _headDim / 2, count = to - from;
        var cos = new float[count * _headDim];
        var sin = new float[count * _headDim];
        for (int p = 0; p < count; p++)
        {
            for (int i = 0; i < half; i++)
            {
                double angle = (from + p) * inverse[i];
                int at = p * _headDim + i;
                cos[at] = cos[at + half] = (float)Math.Cos(angle);
                sin[at] = -(float)Math.Sin(angle);
                sin[at + half] = (float)Math.Sin(angle);
            }
        }

        return (cos, sin);
    }

    /// <summary>Rotates <paramref name="x"/> [B, T, heads, headDim] by the looked-up tables.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor signedSin)
    {
        long half = x.shape[^1] / 2;
        return x * cos + x.roll(half, -1) * signedSin;
    }

    private void Move(Device device, ScalarType dtype)
    {
        var cos = _cos.to(dtype, device).DetachFromDisposeScope();
        var sin = _signedSin.to(dtype, device).DetachFromDisposeScope();
        _cos.Dispose();
        _signedSin.Dispose();
        (_cos, _signedSin) = (cos, sin);
    }

    public void Dispose()
    {
        _cos.Dispose();
        _signedSin.Dispose();
    }
}
