using System.Runtime.InteropServices;
using Rft.Models;
using Rft.Native;
using Rft.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Rollout;

/// <summary>
/// Batched autoregressive sampling with a static KV cache. Every buffer that lives across tokens or
/// rollouts (cache, completion tokens, masks, log-probs, outputs, host staging) is allocated once, in
/// the constructor; a rollout only fills them.
/// </summary>
/// <remarks>
/// One rollout: the prompts are left-padded to the longest and run once each (prefill); their keys and
/// values are then copied to the G rows that sample from that prompt, and decoding goes one token at a
/// time for all rows. A row that emits the stop token is finished: the token counts, later positions
/// get the pad id and mask 0. Decoding stops early once every row has finished (one host sync per token).
/// </remarks>
public sealed class Sampler : IDisposable
{
    private readonly LlamaForCausalLM _model;
    private readonly ITokenizer _tokenizer;
    private readonly Device _device;
    private readonly KvCache _cache;
    private readonly RolloutBatch _batch;
    private readonly NativeFrame _frame = new();      // the decoding loop's native tensor handles
    private readonly DecodeProjections[] _stacked;    // per layer, the projections stacked for a rollout (see LlamaForCausalLM.StackProjections)
    private readonly NativeFrame _drawFrame = new();  // the random draws' handles (made by whichever stream ends a token last)
    private readonly Action<int, NativeFrame> _runStream;
    private readonly Action _draw;
    private DecodeStreams? _streams;                  // made when rows are first decoded as several streams
    private DecodeRun _run;

    // Host staging (CPU): prompts left-padded, [prompts, P] packed from the start.
    private readonly Tensor _promptIds;
    private readonly Tensor _promptMask;
    private readonly Tensor _promptPositions;
    private readonly Tensor _hostCompletion;       // [rows, T] packed, read back once per rollout

    // Decoding state on the model's device, [MaxRows, MaxNewTokens] (finished: [MaxRows, 1]).
    private readonly Tensor _tokens;
    private readonly Tensor _alive;
    private readonly Tensor _logProbs;
    private readonly Tensor _finished;
    private readonly Tensor _uniform;              // [MaxRows, 1] float32: each row's draw for the next token
    private readonly Tensor _steps;                // [1, MaxNewTokens] 0, 1, 2, ...

    // Outputs, flat so that each rollout's [Rows, P + T] and [Rows, T] views are contiguous.
    private readonly Tensor _outSequences;
    private readonly Tensor _outAttention;
    private readonly Tensor _outPositions;
    private readonly Tensor _outCompletionMask;
    private readonly Tensor _outLogProbs;

    // Chunked decoding (decodeRows < maxRows): a chunk's prompts, and the chunks gathered into one batch.
    private readonly int _decodeRows;
    private readonly PromptBatch? _chunk;
    private readonly RolloutAccumulator? _gathered;
    private readonly int[] _chunkGroups = [];

    /// <param name="model">The policy; the sampler lives on its device and in its precision.</param>
    /// <param name="tokenizer">Pad and stop ids.</param>
    /// <param name="maxRows">Most completions one <see cref="Generate"/> returns (prompts x samples per prompt).</param>
    /// <param name="maxPromptTokens">Longest prompt.</param>
    /// <param name="maxNewTokens">Longest completion.</param>
    /// <param name="decodeRows">
    /// Most completions decoded at once (0: <paramref name="maxRows"/>). A larger request is generated in chunks of whole
    /// prompt groups and gathered into one batch, so the KV cache and the decoding buffers, sized for one chunk, do not
    /// grow with the completions per call. Each chunk draws from the same generator in turn: the tokens differ from one
    /// whole-batch decode (greedy decoding aside), reproducibly.
    /// </param>
    public Sampler(LlamaForCausalLM model, ITokenizer tokenizer, int maxRows, int maxPromptTokens, int maxNewTokens, int decodeRows = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPromptTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNewTokens, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(decodeRows);
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabSize} ids but the model's vocabulary has {model.Config.VocabSize}.", nameof(tokenizer));
        if (maxPromptTokens + maxNewTokens > model.Config.MaxPositions)
            throw new ArgumentException(
                $"MaxPromptTokens + MaxNewTokens = {maxPromptTokens} + {maxNewTokens} exceeds the model's MaxPositions = {model.Config.MaxPositions}.");

        using var scope = NewDisposeScope();     // every buffer below is detached from it; only helpers die with it
        _model = model;
        _tokenizer = tokenizer;
        MaxRows = maxRows;
        MaxPromptTokens = maxPromptTokens;
        MaxNewTokens = maxNewTokens;
        var weight = model.LmHeadWeight;
        _device = weight.device;
        int maxLength = maxPromptTokens + maxNewTokens;
        _decodeRows = decodeRows == 0 ? maxRows : Math.Min(decodeRows, maxRows);
        if (_decodeRows < maxRows)
        {
            _chunk = new PromptBatch(_decodeRows, maxPromptTokens);
            _gathered = new RolloutAccumulator(maxRows, maxPromptTokens, maxNewTokens, tokenizer.PadId, _device);
            _chunkGroups = Enumerable.Range(0, _decodeRows).ToArray();
        }

        maxRows = _decodeRows;   // what one decode holds: every buffer below is sized for it
        _cache = new KvCache(model.Config, maxRows, maxLength, _device, weight.dtype);
        _stacked = new DecodeProjections[model.Config.NumLayers];
        _runStream = RunStream;
        _draw = Draw;
        _batch = new RolloutBatch(maxRows, maxNewTokens);

        _promptIds = Buffer([maxRows * maxPromptTokens], ScalarType.Int64, CPU);
        _promptMask = Buffer([maxRows * maxPromptTokens], ScalarType.Bool, CPU);
        _promptPositions = Buffer([maxRows * maxPromptTokens], ScalarType.Int64, CPU);
        _hostCompletion = Buffer([maxRows * maxNewTokens], ScalarType.Int64, CPU);

        _tokens = Buffer([maxRows, maxNewTokens], ScalarType.Int64, _device);
        _alive = Buffer([maxRows, maxNewTokens], ScalarType.Float32, _device);
        _logProbs = Buffer([maxRows, maxNewTokens], ScalarType.Float32, _device);
        _finished = Buffer([maxRows, 1], ScalarType.Bool, _device);
        _uniform = Buffer([maxRows, 1], ScalarType.Float32, _device);
        _steps = arange(0, maxNewTokens, ScalarType.Int64, _device).view(1, maxNewTokens).DetachFromDisposeScope();

        _outSequences = Buffer([maxRows * maxLength], ScalarType.Int64, _device);
        _outAttention = Buffer([maxRows * maxLength], ScalarType.Bool, _device);
        _outPositions = Buffer([maxRows * maxLength], ScalarType.Int64, _device);
        _outCompletionMask = Buffer([maxRows * maxNewTokens], ScalarType.Float32, _device);
        _outLogProbs = Buffer([maxRows * maxNewTokens], ScalarType.Float32, _device);

        _batch.Set(0, 1, 0, 0, Rows(_outSequences, 0, 0), Rows(_outAttention, 0, 0), Rows(_outPositions, 0, 0),
            Rows(_outCompletionMask, 0, 0), Rows(_outLogProbs, 0, 0));
    }

    public int MaxRows { get; }

    /// <summary>Most completions decoded at once (<see cref="MaxRows"/> unless chunked).</summary>
    public int DecodeRows => _decodeRows;

    public int MaxPromptTokens { get; }
    public int MaxNewTokens { get; }

    /// <summary>
    /// Samples <paramref name="samplesPerPrompt"/> completions for every prompt. Reproducible: the same
    /// weights, prompts, settings and generator state give the same tokens.
    /// </summary>
    /// <param name="generator">Draws every sampled token (unused when greedy); its state advances.</param>
    /// <returns>The sampler's batch, overwritten by the next call.</returns>
    /// <exception cref="ArgumentException">More rows than <see cref="MaxRows"/>, a group larger than <see cref="DecodeRows"/>, or a setting out of range.</exception>
    public RolloutBatch Generate(PromptBatch prompts, int samplesPerPrompt, SamplingSettings settings, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(generator);
        Validate(prompts, samplesPerPrompt, settings);
        if ((long)prompts.Count * samplesPerPrompt <= _decodeRows) return GenerateRows(prompts, samplesPerPrompt, settings, generator);

        // Chunks of whole prompt groups, decoded one after another and gathered as one batch (rows in prompt order).
        int perChunk = _decodeRows / samplesPerPrompt;
        if (perChunk == 0)
            throw new ArgumentException($"{samplesPerPrompt} samples of a prompt are decoded together, more than the sampler's {_decodeRows} decoding rows (Rft:DecodeRows); use at least {samplesPerPrompt}.", nameof(samplesPerPrompt));
        _gathered!.Clear();
        for (int first = 0; first < prompts.Count; first += perChunk)
        {
            int count = Math.Min(perChunk, prompts.Count - first);
            _chunk!.Clear();
            for (int i = 0; i < count; i++) _chunk.AddTokens(prompts.Tokens(first + i));
            var part = GenerateRows(_chunk, samplesPerPrompt, settings, generator);
            _gathered.AddGroups(part, _chunkGroups.AsSpan(0, count), samplesPerPrompt);
        }

        return _gathered.Batch;
    }

    // One decode of every row of prompts x samplesPerPrompt (at most DecodeRows), into the sampler's own batch. Everything
    // but the prefill's inputs and output and the batch's five outputs runs on native handles (nothing managed per tensor).
    private RolloutBatch GenerateRows(PromptBatch prompts, int samplesPerPrompt, SamplingSettings settings, Generator generator)
    {
        int promptCount = prompts.Count, groups = samplesPerPrompt, rows = promptCount * groups;
        int p = prompts.LongestLength;
        var config = _model.Config;

        // Inference mode: no gradients, and no autograd bookkeeping per operation (version counters), which a rollout of
        // hundreds of small operations per token notices. The buffers written here are ordinary tensors written in place,
        // and the batch's views of them are only read afterwards, which inference mode allows.
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        var f = _frame;
        using var rollout = f.Open();

        // Prompts, left-padded to P, written straight into the CPU staging tensors; each row's prompt length for the host.
        StagePrompts(prompts, p);
        for (int i = 0; i < promptCount; i++) _batch.HostPromptLengths.Slice(i * groups, groups).Fill(prompts.Tokens(i).Length);
        var promptIds = OnDevice(f, Rows(f, _promptIds, promptCount, p));                  // [prompts, P]
        var promptMask = OnDevice(f, Rows(f, _promptMask, promptCount, p));
        var promptPositions = OnDevice(f, Rows(f, _promptPositions, promptCount, p));

        // Prefill once per prompt (rows [0, prompts) of the cache), then copy to each prompt's G rows.
        var cacheMask = f.Narrow(_cache.AttentionMask.Handle, 0, 0, rows);                 // [rows, maxLength]
        f.Copy(f.Narrow(f.Narrow(_cache.AttentionMask.Handle, 0, 0, promptCount), 1, 0, p), promptMask);
        var logits = f.View(f.Linear(f.Narrow(Prefill(f, promptIds, promptPositions), 1, p - 1, 1), _model.OutputWeightHandle(f), IntPtr.Zero), promptCount, -1);   // [prompts, V]
        if (groups > 1)
        {
            for (int layer = 0; layer < config.NumLayers; layer++)
            {
                Broadcast(f, _cache.Keys(layer).Handle, promptCount, groups, p, config);
                Broadcast(f, _cache.Values(layer).Handle, promptCount, groups, p, config);
            }

            f.Copy(f.View(f.Narrow(cacheMask, 1, 0, p), promptCount, groups, p), f.Unsqueeze(promptMask, 1));
            logits = EachRow(f, logits, promptCount, groups);                                  // [rows, V]
        }

        // Completion token s sits at slot P + s with position (prompt length) + s.
        var positions = f.Add(f.AddScalar(EachRow(f, f.Narrow(promptPositions, 1, p - 1, 1), promptCount, groups), 1), _steps.Handle);   // [rows, MaxNewTokens]
        var tokens = f.Narrow(_tokens.Handle, 0, 0, rows);
        var alive = f.Narrow(_alive.Handle, 0, 0, rows);
        var logProbs = f.Narrow(_logProbs.Handle, 0, 0, rows);
        var finished = f.Narrow(_finished.Handle, 0, 0, rows);
        f.Fill(finished, false);
        int steps = Decode(logits, cacheMask, positions, tokens, alive, logProbs, finished, p, settings, generator);

        Publish(f, promptCount, groups, p, steps, promptIds, promptMask, promptPositions, positions);
        return _batch;
    }

    // The prefill's final-normed hidden states [prompts, P, hidden]: the model's forward, whose inputs and output are managed.
    private IntPtr Prefill(NativeFrame f, IntPtr promptIds, IntPtr promptPositions)
    {
        long count = f.Size(promptIds, 0);
        return _model.ForwardCachedHidden(f.ManagedNarrow(promptIds, 0, 0, count), f.ManagedNarrow(promptPositions, 0, 0, count), _cache, 0).Handle;
    }

    // [n, ...] -> [n * groups, ...], each row repeated groups times in a row (repeat_interleave along dim 0), as a copy.
    private static IntPtr EachRow(NativeFrame f, IntPtr t, long n, long groups)
    {
        long width = f.Size(t, 1);
        return f.Reshape(f.Expand(f.Unsqueeze(t, 1), n, groups, width), n * groups, width);
    }

    /// <summary>Rows a decoding stream takes at least (<see cref="StreamCount"/>).</summary>
    internal const int MinRowsPerStream = 8;

    /// <summary>Decoding streams to use regardless of the device and thread count (tests, benches); 0: <see cref="StreamCount"/> decides.</summary>
    internal int StreamsOverride { get; set; }

    /// <summary>How many streams the last decode used.</summary>
    internal int LastStreamCount { get; private set; }

    /// <summary>
    /// How many streams decode <paramref name="rows"/> rows (<see cref="DecodeStreams"/>): on a CPU, for a model no wider
    /// than <see cref="LlamaForCausalLM.MaxStackedHiddenSize"/> (where a token's operations are too small to use more than
    /// one core each), one per intra-op thread, each with at least <see cref="MinRowsPerStream"/> rows; otherwise one.
    /// </summary>
    private int StreamCount(long rows, bool native)
    {
        if (!native) return 1;
        if (StreamsOverride > 0) return (int)Math.Min(StreamsOverride, rows);
        if (_device.type != DeviceType.CPU || _model.Config.HiddenSize > LlamaForCausalLM.MaxStackedHiddenSize) return 1;
        return (int)Math.Max(1, Math.Min(get_num_threads(), rows / MinRowsPerStream));
    }

    /// <summary>
    /// Samples token after token from the prefill's <paramref name="logits"/> until <see cref="SamplingSettings.MaxNewTokens"/>
    /// or until every row has stopped; returns the number of steps. Each token's work is a few hundred tensor operations on
    /// native handles (<see cref="LlamaForCausalLM.DecodeLogits"/>, <see cref="NativeFrame"/>), released when the token
    /// ends: nothing is allocated on the managed heap per token, so a rollout's managed allocation does not grow with its
    /// length. The results are those of the managed operations, bit for bit. On a CPU the rows may be decoded as several
    /// streams at once (<see cref="StreamCount"/>, <see cref="DecodeStreams"/>); the random draws are the same either way.
    /// </summary>
    private int Decode(IntPtr logits, IntPtr cacheMask, IntPtr positions, IntPtr tokens, IntPtr alive, IntPtr logProbs, IntPtr finished,
        int p, SamplingSettings settings, Generator generator)
    {
        var f = _frame;
        long rows = f.Size(tokens, 0);
        bool native = _model.CanDecode;
        using var rollout = f.Open();     // this rollout's stacked projections
        var stacked = native && _model.StackProjections(f, _stacked) ? _stacked : null;
        _run = new DecodeRun(logits, cacheMask, positions, tokens, alive, logProbs, finished, p, rows, settings, generator, stacked, native);
        try
        {
            Draw();                       // the first token's
            int count = StreamCount(rows, native);
            LastStreamCount = count;
            if (count == 1) return DecodeSlice(f, 0, 0, rows, streams: null);

            if (_streams is null || _streams.Count != count)
            {
                _streams?.Dispose();
                _streams = new DecodeStreams(count, _frame, _runStream, _draw);
            }

            // One intra-op thread for this thread too while the streams run (the workers keep theirs at one).
            int threads = get_num_threads();
            set_num_threads(1);
            try
            {
                _streams.Run();
            }
            finally
            {
                set_num_threads(threads);
            }

            return _run.Steps;
        }
        finally
        {
            _run = default;
        }
    }

    // Stream i of DecodeStreams: its share of the rows, in order.
    private void RunStream(int stream, NativeFrame f)
    {
        long rows = _run.Rows, count = _streams!.Count;
        long first = stream * rows / count, end = (stream + 1) * rows / count;
        int steps = DecodeSlice(f, stream, first, end - first, _streams);
        if (stream == 0) _run.Steps = steps;
    }

    /// <summary>The decoding loop over rows [first, first + count) of the current rollout (<see cref="Decode"/>).</summary>
    private int DecodeSlice(NativeFrame f, int stream, long first, long count, DecodeStreams? streams)
    {
        var run = _run;
        var settings = run.Settings;
        var dtype = _model.LmHeadWeight.dtype;
        bool onCpu = _device.type == DeviceType.CPU;
        using var rows = f.Open();
        var logits = f.Narrow(run.Logits, 0, first, count);                                   // [rows, V]
        var cacheMask = f.Narrow(run.CacheMask, 0, first, count);
        var positions = f.Narrow(run.Positions, 0, first, count);
        var tokens = f.Narrow(run.Tokens, 0, first, count);
        var alive = f.Narrow(run.Alive, 0, first, count);
        var logProbs = f.Narrow(run.LogProbs, 0, first, count);
        var finished = f.Narrow(run.Finished, 0, first, count);
        var uniform = f.Narrow(_uniform.Handle, 0, first, count);
        Tensor? managedLogits = null;     // dynamic rotary scaling only: the managed forward's logits of the current token
        try
        {
            int steps = 0;
            while (steps < settings.MaxNewTokens)
            {
                using var token = f.Open();
                int s = steps;
                var stepLogits = logits;
                if (s > 0)
                {
                    // Feed the previous token; a finished row feeds pad and marks its slot as padding.
                    int slot = run.PromptLength + s - 1;
                    f.Copy(f.Narrow(cacheMask, 1, slot, 1), f.Narrow(alive, 1, s - 1, 1));
                    if (run.Native)
                    {
                        stepLogits = f.View(_model.DecodeLogits(f, f.Narrow(tokens, 1, s - 1, 1), f.Narrow(positions, 1, s - 1, 1), _cache, slot, first, count,
                            run.Stacked), count, -1);
                    }
                    else
                    {
                        managedLogits?.Dispose();
                        using var ids = f.ManagedNarrow(tokens, 1, s - 1, 1);
                        using var positionIds = f.ManagedNarrow(positions, 1, s - 1, 1);
                        managedLogits = _model.ForwardCached(ids, positionIds, _cache, slot).view(count, -1);
                        stepLogits = managedLogits.Handle;
                    }
                }

                var (sampled, logProb) = Sample(f, stepLogits, count, dtype, settings, uniform);   // [rows, 1] each
                f.Copy(f.Narrow(alive, 1, s, 1), f.LogicalNot(finished));
                f.MaskedFill(sampled, finished, (long)_tokenizer.PadId);
                f.Copy(f.Narrow(tokens, 1, s, 1), sampled);
                f.MaskedFill(logProb, finished, 0L);
                f.Copy(f.Narrow(logProbs, 1, s, 1), logProb);
                f.LogicalOr(finished, f.Eq(sampled, _tokenizer.EosId));
                steps++;

                // Stop as soon as every row has emitted its stop token: one value read per token (on a GPU, a sync).
                bool last = steps == settings.MaxNewTokens;
                bool done = !last && f.All(finished, onCpu);
                if (streams is null ? EndStep(last, done) : streams.EndStep(stream, last, done)) break;
            }

            return steps;
        }
        finally
        {
            managedLogits?.Dispose();
        }
    }

    // A single stream's end of token: whether decoding stops, and if not the next token's draws.
    private bool EndStep(bool last, bool done)
    {
        if (last || done) return true;
        Draw();
        return false;
    }

    /// <summary>
    /// Each row's uniform draw for the next token (<see cref="InverseCdf"/>), made for all rows at once, in row order, from
    /// the rollout's generator; nothing when sampling greedily.
    /// </summary>
    private void Draw()
    {
        if (_run.Settings.Temperature == 0) return;
        using var scope = _drawFrame.Open();
        _drawFrame.UniformInPlace(_drawFrame.Narrow(_uniform.Handle, 0, 0, _run.Rows), 0, DrawBound, _run.Generator);
    }

    /// <summary>Temperature-scaled, nucleus-filtered sampling; returns the tokens and their behaviour log-probs, [rows, 1] each.</summary>
    /// <param name="uniform">[rows, 1]: each row's draw (<see cref="Draw"/>).</param>
    private (IntPtr Token, IntPtr LogProb) Sample(NativeFrame f, IntPtr logits, long rows, ScalarType dtype, SamplingSettings settings, IntPtr uniform)
    {
        if (dtype != ScalarType.Float32) logits = f.ToType(logits, ScalarType.Float32);
        if (settings.Temperature == 0)
        {
            var greedy = f.ArgMax(logits, -1, keepdim: true);
            return (greedy, f.Gather(f.LogSoftmax(logits, -1, ScalarType.Float32), 1, greedy));
        }

        var logp = f.LogSoftmax(settings.Temperature == 1 ? logits : f.Div(logits, settings.Temperature), -1, ScalarType.Float32);
        var probs = f.Exp(logp);
        IntPtr token;
        if (settings.TopP < 1)
        {
            // Keep the smallest set of most likely tokens whose mass reaches top-p: drop a token when the
            // tokens ranked above it already reach it. The most likely token is always kept.
            var (sorted, order) = f.Sort(probs, -1, descending: true, stable: true);
            f.MaskedFill(sorted, f.Ge(f.Sub(f.CumSum(sorted, -1), sorted), settings.TopP), 0L);
            token = f.Gather(order, 1, InverseCdf(f, sorted, uniform));
        }
        else
        {
            token = InverseCdf(f, probs, uniform);
        }

        return (token, f.Gather(logp, 1, token));
    }

    /// <summary>The upper end of a row's uniform draw (exclusive), 1 - 2^-23: see <see cref="InverseCdf"/>.</summary>
    private const double DrawBound = 1 - 1.0 / (1 << 23);

    /// <summary>
    /// One token per row drawn from <paramref name="probs"/> ([rows, V], unnormalised, non-negative) by inverse transform
    /// sampling: a uniform draw u per row, scaled by the row's total mass, and the first token whose cumulative mass exceeds
    /// it. One random number per row, where libtorch's <c>multinomial</c> draws V exponentials per row (its log1p alone
    /// took a tenth of a rollout of llama2.c's 260K model). A token of probability 0 is never drawn: its cumulative mass
    /// equals its predecessor's, so it is never the first to exceed u; u stays below the total, so some token always does.
    /// The cumulative sum is float32, as in FlashInfer's sampling kernels.
    /// </summary>
    private IntPtr InverseCdf(NativeFrame f, IntPtr probs, IntPtr uniform)
    {
        long vocab = _model.ActiveVocabulary;                                                  // the logits' width
        var cumulative = f.CumSum(probs, -1);                                                  // [rows, V]
        var total = f.Narrow(cumulative, 1, vocab - 1, 1);                                     // [rows, 1]
        // u below 1 - 2^-23 (Draw): then u * total, rounded, is below total (the product is at least one float below it),
        // so the draw stays below the row's mass without a comparison per token.
        return f.SearchSorted(cumulative, f.Mul(uniform, total), right: true);                // [rows, 1] long
    }

    /// <summary>The rollout being decoded: what every stream reads (all rows' handles, in the sampler's frame).</summary>
    private struct DecodeRun(IntPtr logits, IntPtr cacheMask, IntPtr positions, IntPtr tokens, IntPtr alive, IntPtr logProbs, IntPtr finished,
        int promptLength, long rows, SamplingSettings settings, Generator generator, DecodeProjections[]? stacked, bool native)
    {
        public readonly IntPtr Logits = logits, CacheMask = cacheMask, Positions = positions, Tokens = tokens, Alive = alive, LogProbs = logProbs, Finished = finished;
        public readonly int PromptLength = promptLength;
        public readonly long Rows = rows;
        public readonly SamplingSettings Settings = settings;
        public readonly Generator Generator = generator;
        public readonly DecodeProjections[]? Stacked = stacked;
        public readonly bool Native = native;
        public int Steps;
    }

    private void StagePrompts(PromptBatch prompts, int p)
    {
        var ids = MemoryMarshal.Cast<byte, long>(_promptIds.bytes);
        var mask = MemoryMarshal.Cast<byte, bool>(_promptMask.bytes);
        var positions = MemoryMarshal.Cast<byte, long>(_promptPositions.bytes);
        for (int i = 0; i < prompts.Count; i++)
        {
            var prompt = prompts.Tokens(i);
            int pad = p - prompt.Length, row = i * p;
            for (int j = 0; j < pad; j++)
            {
                ids[row + j] = _tokenizer.PadId;
                mask[row + j] = false;
                positions[row + j] = 0;
            }

            for (int j = 0; j < prompt.Length; j++)
            {
                ids[row + pad + j] = prompt[j];
                mask[row + pad + j] = true;
                positions[row + pad + j] = j;
            }
        }
    }

    // keys[p * G + g, :, :P] = keys[p, :, :P] for every prompt p (the source is cloned: rows overlap).
    private static void Broadcast(NativeFrame f, IntPtr cache, int promptCount, int groups, int p, LlamaConfig config)
    {
        var source = f.Clone(f.Narrow(f.Narrow(cache, 0, 0, promptCount), 2, 0, p));         // [prompts, kv, P, d]
        var target = f.Narrow(f.Narrow(cache, 0, 0, promptCount * groups), 2, 0, p);        // [rows, kv, P, d]
        f.Copy(f.View(target, promptCount, groups, config.NumKvHeads, p, config.HeadDim), f.Unsqueeze(source, 1));
    }

    /// <summary>Copies the decoding state into the contiguous output views and the host arrays.</summary>
    private void Publish(NativeFrame f, int promptCount, int groups, int p, int t, IntPtr promptIds, IntPtr promptMask, IntPtr promptPositions, IntPtr positions)
    {
        int rows = promptCount * groups, length = p + t;
        var tokens = f.Narrow(f.Narrow(_tokens.Handle, 0, 0, rows), 1, 0, t);
        var alive = f.Narrow(f.Narrow(_alive.Handle, 0, 0, rows), 1, 0, t);

        // The batch's five views, managed: the batch hands them out.
        var sequences = Output(f, _outSequences, rows, length);
        var attention = Output(f, _outAttention, rows, length);
        var positionIds = Output(f, _outPositions, rows, length);
        var completionMask = Output(f, _outCompletionMask, rows, t);
        var logProbs = Output(f, _outLogProbs, rows, t);
        CopyRows(f, sequences.Handle, promptIds, tokens, promptCount, groups, p, t);
        CopyRows(f, attention.Handle, promptMask, alive, promptCount, groups, p, t);
        CopyRows(f, positionIds.Handle, promptPositions, f.Narrow(positions, 1, 0, t), promptCount, groups, p, t);
        f.Copy(completionMask.Handle, alive);
        f.Copy(logProbs.Handle, f.Narrow(f.Narrow(_logProbs.Handle, 0, 0, rows), 1, 0, t));

        // One device-to-host copy; counts and stop flags follow from where the stop token is.
        f.Copy(Rows(f, _hostCompletion, rows, t), tokens);
        var hostTokens = MemoryMarshal.Cast<byte, long>(_hostCompletion.bytes);
        var outTokens = _batch.HostTokens;
        var counts = _batch.HostCounts;
        var stopped = _batch.HostFinished;
        int stride = _batch.HostStride, eos = _tokenizer.EosId;
        for (int row = 0; row < rows; row++)
        {
            int count = t;
            bool finished = false;
            for (int j = 0; j < t; j++)
            {
                int token = (int)hostTokens[row * t + j];
                outTokens[row * stride + j] = token;
                if (token == eos)
                {
                    count = j + 1;
                    finished = true;
                    break;
                }
            }

            counts[row] = count;
            stopped[row] = finished;
        }

        _batch.Set(rows, groups, p, t, sequences, attention, positionIds, completionMask, logProbs);
    }

    // target [rows, P + T]: each prompt's P columns repeated over its G rows, then the T completion columns.
    private static void CopyRows(NativeFrame f, IntPtr target, IntPtr prompt, IntPtr completion, int promptCount, int groups, int p, int t)
    {
        f.Copy(f.View(f.Narrow(target, 1, 0, p), promptCount, groups, p), f.Unsqueeze(prompt, 1));
        f.Copy(f.Narrow(target, 1, p, t), completion);
    }

    private void Validate(PromptBatch prompts, int samplesPerPrompt, SamplingSettings settings)
    {
        if (prompts.Count == 0) throw new ArgumentException("The prompt batch is empty.", nameof(prompts));
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerPrompt, 1);
        if ((long)prompts.Count * samplesPerPrompt > MaxRows)
            throw new ArgumentException($"{prompts.Count} prompts x {samplesPerPrompt} samples = {prompts.Count * samplesPerPrompt} rows exceed the sampler's MaxRows = {MaxRows}.");
        if (prompts.LongestLength > MaxPromptTokens)
            throw new ArgumentException($"prompt of {prompts.LongestLength} tokens exceeds MaxPromptTokens = {MaxPromptTokens} (set Rft:MaxPromptTokens)", nameof(prompts));
        if (settings.MaxNewTokens < 1 || settings.MaxNewTokens > MaxNewTokens)
            throw new ArgumentOutOfRangeException(nameof(settings), $"MaxNewTokens = {settings.MaxNewTokens} must be in [1, {MaxNewTokens}] (the sampler's capacity).");
        if (!(settings.Temperature >= 0) || double.IsInfinity(settings.Temperature))
            throw new ArgumentOutOfRangeException(nameof(settings), $"Temperature = {settings.Temperature} must be 0 (greedy) or positive.");
        if (!(settings.TopP > 0 && settings.TopP <= 1))
            throw new ArgumentOutOfRangeException(nameof(settings), $"TopP = {settings.TopP} must be in (0, 1].");
    }

    private IntPtr OnDevice(NativeFrame f, IntPtr host) => _device.type == DeviceType.CPU ? host : f.ToDevice(host, _device.type, _device.index);

    // A contiguous [rows, columns] view of the start of a flat buffer.
    private static IntPtr Rows(NativeFrame f, Tensor flat, int rows, int columns) => f.View(f.Narrow(flat.Handle, 0, 0, (long)rows * columns), rows, columns);

    // Rows(...) as a managed tensor, in the current dispose scope.
    private static Tensor Output(NativeFrame f, Tensor flat, int rows, int columns)
    {
        int mark = f.Count;
        return f.ToManaged(mark, Rows(f, flat, rows, columns));
    }

    private static Tensor Rows(Tensor flat, int rows, int columns) => flat.narrow(0, 0, (long)rows * columns).view(rows, columns);

    private static Tensor Buffer(long[] shape, ScalarType dtype, Device device) => zeros(shape, dtype, device).DetachFromDisposeScope();

    public void Dispose()
    {
        _batch.ReleaseViews();
        _gathered?.Dispose();
        _streams?.Dispose();
        _cache.Dispose();
        _frame.Dispose();
        _drawFrame.Dispose();
        foreach (var tensor in new[]
                 {
                     _promptIds, _promptMask, _promptPositions, _hostCompletion, _tokens, _alive, _logProbs, _finished, _uniform, _steps,
                     _outSequences, _outAttention, _outPositions, _outCompletionMask, _outLogProbs,
                 })
        {
            tensor.Dispose();
        }
    }
}
