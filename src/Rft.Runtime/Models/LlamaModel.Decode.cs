using Rft.Native;
using Rft.Rollout;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Models;

public sealed partial class LlamaModel
{
    /// <summary>Fills <paramref name="stacked"/> with each layer's stacked projections, made in <paramref name="f"/>.</summary>
    internal void StackProjections(NativeFrame f, Span<DecodeProjections> stacked)
    {
        for (int i = 0; i < _config.NumLayers; i++) stacked[i] = layers[i].StackProjections(f);
    }

    /// <summary>Whether <see cref="Decode"/> serves this model (not under dynamic rotary scaling).</summary>
    internal bool CanDecode => _rotary.HasFixedTables;

    /// <summary>
    /// <see cref="Forward"/> for one new position per row with a cache, on native handles: the same operations, so the
    /// same numbers, as <c>Forward(inputIds, positionIds, keyMask, cache, slot)</c>, and nothing allocated on the managed
    /// heap. The attention mask is built once for all layers from the cache's <see cref="KvCache.AttentionMask"/> (which
    /// the caller fills for <paramref name="slot"/> first), as an additive bias: a key slot is blocked (-inf) when it holds
    /// no real token, except the query's own slot; sliding-window layers also block the slots that fell out of the window.
    /// </summary>
    /// <param name="inputIds">[rows, 1] long.</param>
    /// <param name="positionIds">[rows, 1] long.</param>
    /// <returns>Final-normed hidden states [rows, 1, hidden].</returns>
    /// <param name="stacked">Per layer, its stacked projections (<see cref="StackProjections"/>), or empty to project separately.</param>
    internal IntPtr Decode(NativeFrame f, IntPtr inputIds, IntPtr positionIds, KvCache cache, int slot, long rows, (DeviceType Type, int Index) device, ScalarType dtype,
        ReadOnlySpan<DecodeProjections> stacked)
    {
        var hidden = embed_tokens.Decode(f, inputIds, rows);
        var (cos, signedSin) = _rotary.Decode(f, positionIds, rows, device, dtype);

        // The mask as an additive bias in the model's type, 0 where a key may be attended and -inf where it may not: the
        // attention adds it to its scaled scores in the same operation that scales them (see LlamaAttention.Decode).
        var open = f.Narrow(f.Narrow(cache.AttentionMask.Handle, 0, 0, rows), 1, 0, slot + 1);                      // [rows, slot + 1]
        var bias = f.Where(open, cache.Open.Handle, cache.Blocked.Handle);
        f.Fill(f.Narrow(bias, 1, slot, 1), 0.0);                                                                    // a query always sees itself
        var mask = f.View(bias, rows, 1, 1, slot + 1);
        var windowMask = IntPtr.Zero;
        if (_config.SlidingWindow is int window && _config.MaxWindowLayers < _config.NumLayers && slot - window + 1 > 0)
        {
            var windowBias = f.Clone(bias);
            f.Fill(f.Narrow(windowBias, 1, 0, slot - window + 1), double.NegativeInfinity);                          // key slot k needs k > slot - window
            windowMask = f.View(windowBias, rows, 1, 1, slot + 1);
        }

        for (int i = 0; i < _config.NumLayers; i++)
        {
            var layerMask = _config.UsesSlidingWindow(i) && windowMask != IntPtr.Zero ? windowMask : mask;
            var keys = f.Narrow(cache.Keys(i).Handle, 0, 0, rows);
            var values = f.Narrow(cache.Values(i).Handle, 0, 0, rows);
            hidden = layers[i].Decode(f, hidden, rows, cos, signedSin, layerMask, keys, values, slot, dtype, stacked.IsEmpty ? default : stacked[i]);
        }

        return norm.Decode(f, hidden, dtype);
    }
}
