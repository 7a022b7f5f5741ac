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
    /// <param name="firstRow">The cache row of the first row.</param>
    /// <returns>Final-normed hidden states [rows, 1, hidden].</returns>
    /// <param name="stacked">Per layer, its stacked projections (<see cref="StackProjections"/>), or empty to project separately.</param>
    internal IntPtr Decode(NativeFrame f, IntPtr inputIds, IntPtr positionIds, KvCache cache, int slot, long firstRow, long rows, (DeviceType Type, int Index) device,
        ScalarType dtype, ReadOnlySpan<DecodeProjections> stacked)
    {
        var hidden = embed_tokens.Decode(f, inputIds, rows);
        var (cos, signedSin) = _rotary.Decode(f, positionIds, rows, device, dtype);

        // The mask as an additive bias in the model's type, 0 where a key may be attended and -inf where it may not: the
        // attention adds it to its scaled scores in the same operation that scales them (see LlamaAttention.Decode).
        var open = f.Narrow(f.Narrow(cache.AttentionMask.Handle, 0, firstRow, rows), 1, 0, slot + 1);               // [rows, slot + 1]
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
            var keys = f.Narrow(cache.Keys(i).Handle, 0, firstRow, rows);
            var values = f.Narrow(cache.Values(i).Handle, 0, firstRow, rows);
            hidden = layers[i].Decode(f, hidden, rows, cos, signedSin, layerMask, keys, values, slot, dtype, stacked.IsEmpty ? default : stacked[i]);
        }

        return norm.Decode(f, hidden, dtype);
    }

    /// <summary>The frame of <see cref="ForwardNative"/>, one per thread: a forward leaves nothing recorded in it.</summary>
    [ThreadStatic] private static NativeFrame? t_forwardFrame;

    /// <summary>Whether <see cref="Forward"/> runs on native handles where it can (the default); false runs the managed layers (tests compare the two).</summary>
    internal bool NativeForward { get; set; } = true;

    /// <summary>
    /// Whether <see cref="Forward"/> can run on native handles: more than one position (decoding has its own path), fixed
    /// rotary tables, no gradient checkpointing (its recomputation is a managed autograd function) and no LoRA dropout
    /// under a graph (its random draws are managed).
    /// </summary>
    private bool CanForwardNatively(long length, bool checkpoint)
    {
        if (!NativeForward || length < 2 || checkpoint || !_rotary.HasFixedTables) return false;
        if (!is_grad_enabled()) return true;
        for (int i = 0; i < _config.NumLayers; i++)
        {
            if (layers[i].DrawsDropout) return false;
        }

        return true;
    }

    /// <summary>
    /// <see cref="Forward"/> on native handles: the same operations in the same order, so the same hidden states bit for bit
    /// and, under a graph, the same gradients (autograd records native operations as it records managed ones). Each layer's
    /// intermediates and input are released when it returns, as in the managed forward; the result is the one managed
    /// tensor made, in the caller's dispose scope. A forward of the training step or of a reference pass thereby allocates
    /// a few hundred bytes on the managed heap instead of tens of kilobytes.
    /// </summary>
    private Tensor ForwardNative(Tensor inputIds, Tensor positionIds, Tensor? keyMask, KvCache? cache, int offset)
    {
        var f = t_forwardFrame ??= new NativeFrame();
        int mark = f.Count;
        try
        {
            long b = inputIds.size(0), t = inputIds.size(1);
            var dtype = embed_tokens.Weight.dtype;
            var device = (inputIds.device_type, inputIds.device_index);
            var (hidden, cos, signedSin, mask, windowMask) = Inputs(f, inputIds.Handle, positionIds.Handle, keyMask?.Handle ?? IntPtr.Zero, b, t, offset, device, dtype);
            for (int i = 0; i < _config.NumLayers; i++)
            {
                // The layer's input goes with its intermediates (except the embedding, as in the managed forward).
                int layerMark = i > 0 ? f.Count - 1 : f.Count;
                var cachedKeys = cache is null ? IntPtr.Zero : f.Narrow(cache.Keys(i).Handle, 0, 0, b);
                var cachedValues = cache is null ? IntPtr.Zero : f.Narrow(cache.Values(i).Handle, 0, 0, b);
                var layerMask = _config.UsesSlidingWindow(i) ? windowMask : mask;
                hidden = f.Keep(layerMark, layers[i].Forward(f, hidden, b, t, cos, signedSin, layerMask, cachedKeys, cachedValues, offset, dtype,
                    prefix: false, out _, out _));
            }

            return Tensor.UnsafeCreateTensor(f.Take(mark, norm.Decode(f, hidden, dtype)));
        }
        finally
        {
            f.ReleaseTo(mark);
        }
    }

    /// <summary>Whether <see cref="ForwardPredicting"/> runs each distinct prompt once (the default); false runs every row whole (tests compare the two).</summary>
    internal bool SharePrompts { get; set; } = true;

    /// <summary>How many forwards <see cref="ForwardPredicting"/> ran with shared prompts (tests check that the path is taken).</summary>
    internal int SharedPromptForwards { get; private set; }

    /// <summary>
    /// The final-normed hidden states that predict the completion tokens, [rows, T, hidden]: the states at positions
    /// [P - 1, P + T - 1) of <see cref="Forward"/> over whole rows. When rows share a prompt (a GRPO group's completions do),
    /// each distinct prompt runs once and its rows' completions attend its keys and values, taken per row, as a cache
    /// prefix: each row computes T - 1 positions where it computed P + T. A prompt is its tokens, positions and mask, so
    /// rows that share one see the same prompt states in the whole-row forward, and the completions' operations are
    /// those of a cached forward at offset P. The numbers are those of the whole-row forward up to the order of floating
    /// point sums (a matrix product over fewer rows); under a graph, a prompt's gradient sums its rows' (the backward of
    /// the per-row selection). Whole rows run when fewer than two rows share a prompt on average (rows shuffled across
    /// groups into a micro-batch: a graph would then hold each prompt's keys and values twice, its own and its rows', for
    /// little saved work), when the forward cannot run natively, and for a single completion position.
    /// </summary>
    /// <param name="sequences">[rows, P + T] long, prompts left-padded, completions right-padded.</param>
    /// <param name="positionIds">[rows, P + T] long.</param>
    /// <param name="keyMask">[rows, P + T] bool, true on real tokens.</param>
    public Tensor ForwardPredicting(Tensor sequences, Tensor positionIds, Tensor keyMask, int promptLength, int completionLength)
    {
        bool checkpoint = GradientCheckpointing && is_grad_enabled();
        if (SharePrompts && promptLength > 0 && completionLength > 1 && CanForwardNatively(completionLength - 1, checkpoint))
        {
            using var scope = NewDisposeScope();
            var prompts = cat([sequences.narrow(1, 0, promptLength), positionIds.narrow(1, 0, promptLength), keyMask.narrow(1, 0, promptLength).to(ScalarType.Int64)], 1);
            var (distinct, rowPrompt, _) = prompts.unique(sorted: false, return_inverse: true, return_counts: false, dim: 0);
            if (2 * distinct.size(0) <= sequences.size(0))
            {
                SharedPromptForwards++;
                return ForwardSharedPrompts(distinct, rowPrompt!, sequences, positionIds, keyMask, promptLength, completionLength).MoveToOuterDisposeScope();
            }
        }

        return Forward(sequences, positionIds, keyMask, cache: null, offset: 0).narrow(1, promptLength - 1, completionLength);
    }

    /// <summary><see cref="ForwardPredicting"/> with shared prompts, on native handles.</summary>
    /// <param name="distinct">[prompts, 3P] long: each distinct prompt's tokens, positions and mask.</param>
    /// <param name="rowPrompt">[rows] long: each row's prompt.</param>
    private Tensor ForwardSharedPrompts(Tensor distinct, Tensor rowPrompt, Tensor sequences, Tensor positionIds, Tensor keyMask, int p, int t)
    {
        var f = t_forwardFrame ??= new NativeFrame();
        int mark = f.Count;
        try
        {
            long g = distinct.size(0), b = sequences.size(0), c = t - 1;   // the last completion token predicts nothing asked for
            var dtype = embed_tokens.Weight.dtype;
            var device = (sequences.device_type, sequences.device_index);

            // The prompts: a forward of their P positions, as in Forward.
            var (promptHidden, promptCos, promptSin, promptMask, promptWindowMask) = Inputs(f, f.Narrow(distinct.Handle, 1, 0, p), f.Narrow(distinct.Handle, 1, p, p),
                f.Ne(f.Narrow(distinct.Handle, 1, 2 * p, p), 0), g, p, 0, device, dtype);

            // The completions: positions [P, P + T - 1) of each row, attending their prompt's P slots first, as a cached forward at offset P.
            var (hidden, cos, signedSin, mask, windowMask) = Inputs(f, f.Narrow(sequences.Handle, 1, p, c), f.Narrow(positionIds.Handle, 1, p, c),
                f.Narrow(keyMask.Handle, 1, 0, p + c), b, c, p, device, dtype);
            for (int i = 0; i < _config.NumLayers; i++)
            {
                // The layer's two inputs go with its intermediates (except the embeddings, as in the managed forward).
                int layerMark = i > 0 ? f.Count - 2 : f.Count;
                bool window = _config.UsesSlidingWindow(i);
                var nextPrompt = layers[i].Forward(f, promptHidden, g, p, promptCos, promptSin, window ? promptWindowMask : promptMask, IntPtr.Zero, IntPtr.Zero, 0, dtype,
                    prefix: false, out var promptKeys, out var promptValues);
                var rowKeys = f.IndexSelect(promptKeys, 0, rowPrompt.Handle);                                             // [rows, kv, P, d]
                var rowValues = f.IndexSelect(promptValues, 0, rowPrompt.Handle);
                var next = layers[i].Forward(f, hidden, b, c, cos, signedSin, window ? windowMask : mask, rowKeys, rowValues, p, dtype,
                    prefix: true, out _, out _);
                f.Keep(layerMark, nextPrompt, next);
                promptHidden = nextPrompt;
                hidden = next;
            }

            // The last prompt position predicts the first completion token; completion position j predicts token j + 1.
            var last = f.IndexSelect(norm.Decode(f, f.Narrow(promptHidden, 1, p - 1, 1), dtype), 0, rowPrompt.Handle);   // [rows, 1, hidden]
            return Tensor.UnsafeCreateTensor(f.Take(mark, f.Cat(1, last, norm.Decode(f, hidden, dtype))));
        }
        finally
        {
            f.ReleaseTo(mark);
        }
    }

    /// <summary>
    /// A native forward's inputs for <paramref name="t"/> positions per row at cache slot <paramref name="offset"/>: the
    /// embedded tokens, the rotary tables, and the attention mask with, where some layers slide, the sliding-window mask.
    /// </summary>
    private (IntPtr Hidden, IntPtr Cos, IntPtr SignedSin, IntPtr Mask, IntPtr WindowMask) Inputs(NativeFrame f, IntPtr inputIds, IntPtr positionIds, IntPtr keyMask,
        long rows, long t, int offset, (DeviceType Type, int Index) device, ScalarType dtype)
    {
        var hidden = embed_tokens.Decode(f, inputIds, rows, t);
        var (cos, signedSin) = _rotary.Decode(f, positionIds, rows, device, dtype, t);
        var mask = AttentionMask(f, keyMask, offset, t, device, window: null);
        var windowMask = _config.SlidingWindow is int w && _config.MaxWindowLayers < _config.NumLayers ? AttentionMask(f, keyMask, offset, t, device, w) : IntPtr.Zero;
        return (hidden, cos, signedSin, mask, windowMask);
    }

    /// <summary><see cref="AttentionMask(Tensor?, int, int, Device, int?, int)"/> on native handles, the same operations.</summary>
    private IntPtr AttentionMask(NativeFrame f, IntPtr keyMask, int offset, long t, (DeviceType Type, int Index) device, int? window)
    {
        long length = offset + t;
        var querySlots = f.Unsqueeze(f.Arange(offset, length, device), 1);                                       // [T, 1]
        var keySlots = f.Unsqueeze(f.Arange(0, length, device), 0);                                              // [1, L]
        var allowed = f.Le(keySlots, querySlots);                                                                // [T, L] causal
        if (window is int w) f.LogicalAndInPlace(allowed, f.Gt(keySlots, f.SubScalar(querySlots, w)));                 // sliding window
        if (keyMask == IntPtr.Zero)
        {
            allowed = f.Unsqueeze(allowed, 0);
        }
        else
        {
            allowed = f.LogicalAnd(f.Unsqueeze(keyMask, 1), allowed);                                            // [B, T, L]
            f.LogicalOr(allowed, f.EqTensor(keySlots, querySlots));
        }

        var mask = f.Unsqueeze(allowed, 1);                                                                      // [B, 1, T, L]
        return _config.KvGroups == 1 ? mask : f.Repeat(mask, 1, 1, _config.KvGroups, 1);
    }
}
