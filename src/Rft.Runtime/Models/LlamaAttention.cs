using Rft.Models.Lora;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Models;

/// <summary>
/// Causal self-attention with rotary positions and grouped-query heads (<c>num_key_value_heads</c> &lt;
/// <c>num_attention_heads</c>); biases on q/k/v only when <see cref="LlamaConfig.QkvBias"/> (Qwen2).
/// </summary>
/// <remarks>
/// Instead of repeating each key/value head for its group of query heads (Hugging Face's
/// <c>repeat_kv</c>, a copy of the whole cache per layer per token), the queries of one group are
/// stacked along the sequence axis: [B, kvHeads, groups * T, headDim] against [B, kvHeads, L, headDim].
/// Query head h still reads key/value head h / groups, as in <c>repeat_kv</c>.
/// </remarks>
public sealed partial class LlamaAttention : nn.Module
{
    private readonly AdaptableLinear q_proj;
    private readonly AdaptableLinear k_proj;
    private readonly AdaptableLinear v_proj;
    private readonly AdaptableLinear o_proj;
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;

    public LlamaAttention(LlamaConfig config, Device? device = null, ScalarType dtype = ScalarType.Float32) : base(nameof(LlamaAttention))
    {
        _heads = config.NumHeads;
        _kvHeads = config.NumKvHeads;
        _headDim = config.HeadDim;
        q_proj = new AdaptableLinear(config.HiddenSize, _heads * _headDim, config.QkvBias, device, dtype);
        k_proj = new AdaptableLinear(config.HiddenSize, _kvHeads * _headDim, config.QkvBias, device, dtype);
        v_proj = new AdaptableLinear(config.HiddenSize, _kvHeads * _headDim, config.QkvBias, device, dtype);
        o_proj = new AdaptableLinear(_heads * _headDim, config.HiddenSize, hasBias: false, device, dtype);
        RegisterComponents();
    }

    /// <param name="hidden">[B, T, hidden], the normalised input.</param>
    /// <param name="cos">[B, T, 1, headDim] from <see cref="RotaryEmbedding.Lookup"/>.</param>
    /// <param name="signedSin">[B, T, 1, headDim] from <see cref="RotaryEmbedding.Lookup"/>.</param>
    /// <param name="mask">[B or 1, 1, groups * T, L] bool, true where a query may attend a key (see <see cref="LlamaModel"/>).</param>
    /// <param name="cachedKeys">This layer's key cache narrowed to the batch's rows, [B, kvHeads, maxLength, headDim], or null without a cache.</param>
    /// <param name="cachedValues">Likewise for values.</param>
    /// <param name="offset">Cache slot of the first input position; the new keys and values are written at [offset, offset + T).</param>
    /// <returns>[B, T, hidden]</returns>
    public Tensor Forward(Tensor hidden, Tensor cos, Tensor signedSin, Tensor mask, Tensor? cachedKeys, Tensor? cachedValues, int offset)
    {
        long b = hidden.shape[0], t = hidden.shape[1];
        int groups = _heads / _kvHeads;

        var q = RotaryEmbedding.Apply(q_proj.forward(hidden).view(b, t, _heads, _headDim), cos, signedSin);
        var k = RotaryEmbedding.Apply(k_proj.forward(hidden).view(b, t, _kvHeads, _headDim), cos, signedSin).transpose(1, 2);
        var v = v_proj.forward(hidden).view(b, t, _kvHeads, _headDim).transpose(1, 2);     // [B, kvHeads, T, headDim]

        // [B, T, kvHeads * groups, headDim] -> [B, kvHeads, groups * T, headDim]
        q = q.view(b, t, _kvHeads, groups, _headDim).permute(0, 2, 3, 1, 4).reshape(b, _kvHeads, groups * t, _headDim);

        if (cachedKeys is not null && cachedValues is not null)
        {
            cachedKeys.narrow(2, offset, t).copy_(k);
            cachedValues.narrow(2, offset, t).copy_(v);
            k = cachedKeys.narrow(2, 0, offset + t);
            v = cachedValues.narrow(2, 0, offset + t);
        }

        var attended = t == 1                                                                 // [B, kvHeads, groups * T, headDim]
            ? DecodeAttention(q, k, v, mask)
            : nn.functional.scaled_dot_product_attention(q, k, v, mask);
        var merged = attended.view(b, _kvHeads, groups, t, _headDim).permute(0, 3, 1, 2, 4).reshape(b, t, _heads * _headDim);
        return o_proj.forward(merged);
    }

    // One query position per row (decoding): two small matmuls and a softmax take about half the time of
    // SDPA's CPU kernel at these sizes. The mask never blocks a whole row, so the softmax has no NaN. The mask is added as
    // a bias (0 or -inf) by the operation that scales the scores: bias + scale * score is scale * score, rounded once, or
    // -inf, the values that scaling and then masking give, in one operation instead of two (Decode does the same).
    private Tensor DecodeAttention(Tensor q, Tensor k, Tensor v, Tensor mask)
    {
        var bias = zeros(mask.shape, q.dtype, q.device).masked_fill_(mask.logical_not(), double.NegativeInfinity);
        var scores = bias.add(q.matmul(k.transpose(2, 3)), 1.0 / Math.Sqrt(_headDim));
        return scores.softmax(-1).matmul(v);
    }
}
