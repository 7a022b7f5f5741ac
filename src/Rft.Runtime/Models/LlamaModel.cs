using Rft.Rollout;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rft.Models;

/// <summary>
/// The decoder stack Hugging Face calls <c>model</c>: <c>embed_tokens</c>, <c>layers.{i}</c>, <c>norm</c>.
/// Callers open the dispose scope; <see cref="LlamaForCausalLM"/> does.
/// </summary>
public sealed partial class LlamaModel : nn.Module
{
    private readonly TokenEmbedding embed_tokens;
    private readonly ModuleList<LlamaDecoderLayer> layers;
    private readonly RmsNorm norm;
    private readonly RotaryEmbedding _rotary;
    private readonly LlamaConfig _config;

    public LlamaModel(LlamaConfig config, Device? device = null, ScalarType dtype = ScalarType.Float32) : base(nameof(LlamaModel))
    {
        _config = config;
        embed_tokens = new TokenEmbedding(config.VocabSize, config.HiddenSize, device, dtype);
        layers = nn.ModuleList(Enumerable.Range(0, config.NumLayers).Select(_ => new LlamaDecoderLayer(config, device, dtype)).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        _rotary = new RotaryEmbedding(config);
        RegisterComponents();
    }

    /// <summary>The input embedding [V, hidden], also the output projection when embeddings are tied.</summary>
    public Parameter EmbedTokensWeight => embed_tokens.Weight;

    /// <summary>The stream LoRA dropout draws from (<see cref="Lora.DropoutRandom"/>).</summary>
    public Lora.DropoutRandom DropoutRandom { get; } = new();

    /// <summary>Recompute each layer's activations in backward (<see cref="CheckpointedLayerFunction"/>) when a forward records a graph.</summary>
    public bool GradientCheckpointing { get; set; }

    /// <summary>Final-normed hidden states [B, T, hidden].</summary>
    /// <param name="inputIds">[B, T] long.</param>
    /// <param name="positionIds">[B, T] long, rotary positions (for left padding: count of real tokens before each one).</param>
    /// <param name="keyMask">[B, offset + T] bool, true on real tokens, or null when every position is real.</param>
    /// <param name="cache">When given, keys and values are written at slots [offset, offset + T) and attention reads slots [0, offset + T).</param>
    public Tensor Forward(Tensor inputIds, Tensor positionIds, Tensor? keyMask, KvCache? cache, int offset)
    {
        bool checkpoint = GradientCheckpointing && cache is null && is_grad_enabled();
        if (CanForwardNatively(inputIds.size(1), checkpoint)) return ForwardNative(inputIds, positionIds, keyMask, cache, offset);

        long b = inputIds.shape[0], t = inputIds.shape[1];
        var hidden = embed_tokens.forward(inputIds);
        var (cos, signedSin) = _rotary.Lookup(positionIds, hidden.dtype);
        var mask = AttentionMask(keyMask, offset, (int)t, inputIds.device, window: null, _config.KvGroups);
        var windowMask = _config.SlidingWindow is int w && _config.MaxWindowLayers < _config.NumLayers
            ? AttentionMask(keyMask, offset, (int)t, inputIds.device, w, _config.KvGroups)
            : null;
        // A checkpointed layer's output needs a graph even when nothing before it is trained (a frozen embedding under LoRA).
        if (checkpoint && !hidden.requires_grad) hidden = hidden.detach().requires_grad_();
        for (int i = 0; i < _config.NumLayers; i++)
        {
            var layerMask = _config.UsesSlidingWindow(i) ? windowMask! : mask;
            if (checkpoint)
            {
                hidden = CheckpointedLayerFunction.apply(hidden, cos, signedSin, layerMask, layers[i], layers[i].DrawsRandomNumbers ? DropoutRandom : null!)[0];
                continue;
            }

            // Each layer in its own scope: its intermediates are freed when it returns, so a forward without a graph holds
            // one layer's activations at a time and a training forward holds only what autograd saved. The layer's input
            // goes with them (autograd keeps its own reference where backward needs it); its output moves out.
            using var layerScope = NewDisposeScope();
            if (i > 0) layerScope.Attach(hidden);
            var keys = cache?.Keys(i).narrow(0, 0, b);
            var values = cache?.Values(i).narrow(0, 0, b);
            hidden = layers[i].Forward(hidden, cos, signedSin, layerMask, keys, values, offset).MoveToOuterDisposeScope();
        }

        return norm.forward(hidden);
    }

    /// <summary>
    /// [B or 1, 1, groups * T, offset + T] bool: query slot q sees key slot k when k &lt;= q and k holds a real
    /// token. A query always sees itself, so a padding query never takes a softmax over nothing (no NaN);
    /// its output is never read. Rows repeat per query group, matching <see cref="LlamaAttention"/>'s layout.
    /// With a <paramref name="window"/> W, key slot k must also satisfy k &gt; q - W. Slots stand for positions: a
    /// row's real tokens occupy consecutive slots (left padding comes first), so slot and position distances agree.
    /// </summary>
    private static Tensor AttentionMask(Tensor? keyMask, int offset, int t, Device device, int? window, int groups)
    {
        int length = offset + t;
        var querySlots = arange(offset, length, ScalarType.Int64, device).unsqueeze(1);     // [T, 1]
        var keySlots = arange(0, length, ScalarType.Int64, device).unsqueeze(0);            // [1, L]
        var allowed = keySlots.le(querySlots);                                               // [T, L] causal
        if (window is int w) allowed = allowed.logical_and_(keySlots.gt(querySlots - w));    // sliding window
        allowed = keyMask is null
            ? allowed.unsqueeze(0)
            : keyMask.unsqueeze(1).logical_and(allowed).logical_or_(keySlots.eq(querySlots)); // [B, T, L]
        var mask = allowed.unsqueeze(1);                                                     // [B, 1, T, L]
        return groups == 1 ? mask : mask.repeat(1, 1, groups, 1);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rotary.Dispose();
            DropoutRandom.Dispose();
        }
        base.Dispose(disposing);
    }
}
