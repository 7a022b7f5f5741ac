using Rft.Native;
using static TorchSharp.torch;

namespace Rft.Models;

public sealed partial class LlamaAttention
{
    /// <summary>q, k and v's weights and biases stacked (see <see cref="DecodeProjections"/>); zeros when a projection has an adapter.</summary>
    internal (IntPtr Weight, IntPtr Bias) StackQkv(NativeFrame f)
    {
        if (q_proj.HasAdapter || k_proj.HasAdapter || v_proj.HasAdapter) return default;
        var weight = f.Cat(0, q_proj.Weight.Handle, k_proj.Weight.Handle, v_proj.Weight.Handle);
        var bias = q_proj.BiasHandle == IntPtr.Zero ? IntPtr.Zero : f.Cat(0, q_proj.BiasHandle, k_proj.BiasHandle, v_proj.BiasHandle);
        return (weight, bias);
    }

    /// <summary>
    /// <see cref="Forward"/> for one new position per row with a cache, on native handles. The reshapes of the general
    /// case are plain views here (one query position) and the cache slot is written through <c>select</c> (the same
    /// elements as a one-wide <c>narrow</c>). With stacked projections (<see cref="StackQkv"/>), q, k and v come from one
    /// matrix product and q and k are rotated together; each element is computed as in the separate products.
    /// </summary>
    /// <param name="hidden">[rows, 1, hidden], the normalised input.</param>
    /// <param name="cos">[rows, 1, 1, headDim].</param>
    /// <param name="signedSin">[rows, 1, 1, headDim].</param>
    /// <param name="bias">[rows, 1, 1, slot + 1] in the model's type: 0 where a key may be attended, -inf where it may not.</param>
    /// <param name="keys">This layer's key cache narrowed to the rows, [rows, kvHeads, maxLength, headDim].</param>
    /// <param name="values">Likewise for values.</param>
    /// <param name="slot">The cache slot of the new position.</param>
    /// <param name="qkv">The stacked q/k/v weight and bias, or zeros to project separately.</param>
    /// <returns>[rows, 1, hidden]</returns>
    internal IntPtr Decode(NativeFrame f, IntPtr hidden, long rows, IntPtr cos, IntPtr signedSin, IntPtr bias, IntPtr keys, IntPtr values, int slot,
        ScalarType dtype, (IntPtr Weight, IntPtr Bias) qkv)
    {
        int groups = _heads / _kvHeads;
        IntPtr q, k, v;   // [rows, 1, heads, d] rotated, [rows, 1, kv, d] rotated, [rows, 1, kv * d]
        if (qkv.Weight != IntPtr.Zero)
        {
            var projected = f.Linear(hidden, qkv.Weight, qkv.Bias);                                                          // [rows, 1, (heads + 2 kv) d]
            var rotated = RotaryEmbedding.Apply(f, f.View(f.Narrow(projected, 2, 0, (_heads + _kvHeads) * _headDim), rows, 1, _heads + _kvHeads, _headDim),
                _headDim, cos, signedSin);
            q = f.Narrow(rotated, 2, 0, _heads);
            k = f.Narrow(rotated, 2, _heads, _kvHeads);
            v = f.Narrow(projected, 2, (_heads + _kvHeads) * _headDim, _kvHeads * _headDim);
        }
        else
        {
            q = RotaryEmbedding.Apply(f, f.View(q_proj.Decode(f, hidden), rows, 1, _heads, _headDim), _headDim, cos, signedSin);
            k = RotaryEmbedding.Apply(f, f.View(k_proj.Decode(f, hidden), rows, 1, _kvHeads, _headDim), _headDim, cos, signedSin);
            v = v_proj.Decode(f, hidden);
        }

        f.Copy(f.Select(keys, 2, slot), f.View(k, rows, _kvHeads, _headDim));
        f.Copy(f.Select(values, 2, slot), f.View(v, rows, _kvHeads, _headDim));
        var cachedKeys = f.Narrow(keys, 2, 0, slot + 1);                                                                     // [rows, kv, slot + 1, d]
        var cachedValues = f.Narrow(values, 2, 0, slot + 1);

        // Query head h reads key/value head h / groups: the queries of a group are rows of one matrix, as in Forward.
        // As in DecodeAttention: the bias plus the scaled scores, one operation.
        var products = f.MatMul(f.View(q, rows, _kvHeads, groups, _headDim), f.Transpose(cachedKeys, 2, 3));                // [rows, kv, groups, slot + 1]
        var scores = f.Add(bias, products, 1.0 / Math.Sqrt(_headDim));
        var attended = f.MatMul(f.Softmax(scores, -1, dtype), cachedValues);                                                // [rows, kv, groups, d]
        return o_proj.Decode(f, f.View(attended, rows, 1, _heads * _headDim));
    }

    /// <summary>Whether a projection's adapter has dropout (a training forward with a graph then draws random numbers).</summary>
    internal bool HasAdapterDropout => q_proj.Dropout > 0 || k_proj.Dropout > 0 || v_proj.Dropout > 0 || o_proj.Dropout > 0;

    /// <summary>
    /// <see cref="Forward"/> for <paramref name="length"/> &gt; 1 positions per row, on native handles: the same operations in
    /// the same order (scaled dot-product attention over the group-stacked queries), so the same numbers and, with a graph,
    /// the same gradients.
    /// </summary>
    /// <param name="hidden">[rows, length, hidden], the normalised input.</param>
    /// <param name="cos">[rows, length, 1, headDim].</param>
    /// <param name="signedSin">[rows, length, 1, headDim].</param>
    /// <param name="mask">[rows or 1, 1, groups * length, offset + length] bool, true where a query may attend a key.</param>
    /// <param name="keys">This layer's key cache narrowed to the rows, or zero without a cache; with <paramref name="prefix"/>,
    /// the keys of the <paramref name="offset"/> positions before these, [rows, kv, offset, d], attended and left unchanged.</param>
    /// <param name="values">Likewise for values.</param>
    /// <param name="offset">Cache slot of the first position.</param>
    /// <param name="prefix">Whether <paramref name="keys"/> and <paramref name="values"/> are a prefix to prepend, not a cache to write.</param>
    /// <param name="ownKeys">These positions' rotated keys, [rows, kv, length, d].</param>
    /// <param name="ownValues">These positions' values, [rows, kv, length, d].</param>
    /// <returns>[rows, length, hidden]</returns>
    internal IntPtr Forward(NativeFrame f, IntPtr hidden, long rows, long length, IntPtr cos, IntPtr signedSin, IntPtr mask, IntPtr keys, IntPtr values, int offset,
        bool prefix, out IntPtr ownKeys, out IntPtr ownValues)
    {
        int groups = _heads / _kvHeads;
        var q = RotaryEmbedding.Apply(f, f.View(q_proj.Decode(f, hidden), rows, length, _heads, _headDim), _headDim, cos, signedSin);
        var k = f.Transpose(RotaryEmbedding.Apply(f, f.View(k_proj.Decode(f, hidden), rows, length, _kvHeads, _headDim), _headDim, cos, signedSin), 1, 2);
        var v = f.Transpose(f.View(v_proj.Decode(f, hidden), rows, length, _kvHeads, _headDim), 1, 2);              // [rows, kv, length, d]
        q = f.Reshape(f.Permute(f.View(q, rows, length, _kvHeads, groups, _headDim), 0, 2, 3, 1, 4), rows, _kvHeads, groups * length, _headDim);
        ownKeys = k;
        ownValues = v;
        if (prefix)
        {
            k = f.Cat(2, keys, k);
            v = f.Cat(2, values, v);
        }
        else if (keys != IntPtr.Zero && values != IntPtr.Zero)
        {
            f.Copy(f.Narrow(keys, 2, offset, length), k);
            f.Copy(f.Narrow(values, 2, offset, length), v);
            k = f.Narrow(keys, 2, 0, offset + length);
            v = f.Narrow(values, 2, 0, offset + length);
        }

        var attended = f.ScaledDotProductAttention(q, k, v, mask);                                                      // [rows, kv, groups * length, d]
        var merged = f.Reshape(f.Permute(f.View(attended, rows, _kvHeads, groups, length, _headDim), 0, 3, 1, 2, 4), rows, length, _heads * _headDim);
        return o_proj.Decode(f, merged);
    }
}
