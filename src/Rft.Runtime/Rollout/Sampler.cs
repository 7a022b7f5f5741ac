using System.Runtime.InteropServices;
using Rft.Models;
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
    private readonly Tensor _steps;                // [1, MaxNewTokens] 0, 1, 2, ...

    // Outputs, flat so that each rollout's [Rows, P + T] and [Rows, T] views are contiguous.
    private readonly Tensor _outSequences;
    private readonly Tensor _outAttention;
    private readonly Tensor _outPositions;
    private readonly Tensor _outCompletionMask;
    private readonly Tensor _outLogProbs;

    public Sampler(LlamaForCausalLM model, ITokenizer tokenizer, int maxRows, int maxPromptTokens, int maxNewTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPromptTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNewTokens, 1);
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

        _cache = new KvCache(model.Config, maxRows, maxLength, _device, weight.dtype);
        _batch = new RolloutBatch(maxRows, maxNewTokens);

        _promptIds = Buffer([maxRows * maxPromptTokens], ScalarType.Int64, CPU);
        _promptMask = Buffer([maxRows * maxPromptTokens], ScalarType.Bool, CPU);
        _promptPositions = Buffer([maxRows * maxPromptTokens], ScalarType.Int64, CPU);
        _hostCompletion = Buffer([maxRows * maxNewTokens], ScalarType.Int64, CPU);

        _tokens = Buffer([maxRows, maxNewTokens], ScalarType.Int64, _device);
        _alive = Buffer([maxRows, maxNewTokens], ScalarType.Float32, _device);
        _logProbs = Buffer([maxRows, maxNewTokens], ScalarType.Float32, _device);
        _finished = Buffer([maxRows, 1], ScalarType.Bool, _device);
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
    public int MaxPromptTokens { get; }
    public int MaxNewTokens { get; }

    /// <summary>
    /// Samples <paramref name="samplesPerPrompt"/> completions for every prompt. Reproducible: the same
    /// weights, prompts, settings and generator state give the same tokens.
    /// </summary>
    /// <param name="generator">Draws every sampled token (unused when greedy); its state advances.</param>
    /// <returns>The sampler's batch, overwritten by the next call.</returns>
    public RolloutBatch Generate(PromptBatch prompts, int samplesPerPrompt, SamplingSettings settings, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(generator);
        Validate(prompts, samplesPerPrompt, settings);

        int promptCount = prompts.Count, groups = samplesPerPrompt, rows = promptCount * groups;
        int p = prompts.LongestLength;
        var config = _model.Config;

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();

        // Prompts, left-padded to P, written straight into the CPU staging tensors; each row's prompt length for the host.
        StagePrompts(prompts, p);
        for (int i = 0; i < promptCount; i++) _batch.HostPromptLengths.Slice(i * groups, groups).Fill(prompts.Tokens(i).Length);
        var promptIds = OnDevice(Rows(_promptIds, promptCount, p));            // [prompts, P]
        var promptMask = OnDevice(Rows(_promptMask, promptCount, p));
        var promptPositions = OnDevice(Rows(_promptPositions, promptCount, p));

        // Prefill once per prompt (rows [0, prompts) of the cache), then copy to each prompt's G rows.
        var cacheMask = _cache.AttentionMask.narrow(0, 0, rows);               // [rows, maxLength]
        _cache.AttentionMask.narrow(0, 0, promptCount).narrow(1, 0, p).copy_(promptMask);
        var lastHidden = _model.ForwardCachedHidden(promptIds, promptPositions, _cache, 0).narrow(1, p - 1, 1);
        var logits = nn.functional.linear(lastHidden, _model.OutputWeight).view(promptCount, -1);   // [prompts, V]
        if (groups > 1)
        {
            for (int layer = 0; layer < config.NumLayers; layer++)
            {
                Broadcast(_cache.Keys(layer), promptCount, groups, p);
                Broadcast(_cache.Values(layer), promptCount, groups, p);
            }

            cacheMask.narrow(1, 0, p).view(promptCount, groups, p).copy_(promptMask.unsqueeze(1));
            logits = logits.repeat_interleave(groups, dim: 0);                 // [rows, V]
        }

        // Completion token s sits at slot P + s with position (prompt length) + s.
        var positions = promptPositions.narrow(1, p - 1, 1).repeat_interleave(groups, dim: 0).add(1).add(_steps);   // [rows, MaxNewTokens]
        var tokens = _tokens.narrow(0, 0, rows);
        var alive = _alive.narrow(0, 0, rows);
        var logProbs = _logProbs.narrow(0, 0, rows);
        var finished = _finished.narrow(0, 0, rows).fill_(false);

        int steps = 0;
        while (steps < settings.MaxNewTokens)
        {
            using var tokenScope = NewDisposeScope();
            int s = steps;
            var stepLogits = logits;
            if (s > 0)
            {
                // Feed the previous token; a finished row feeds pad and marks its slot as padding.
                int slot = p + s - 1;
                cacheMask.narrow(1, slot, 1).copy_(alive.narrow(1, s - 1, 1));
                stepLogits = _model.ForwardCached(tokens.narrow(1, s - 1, 1), positions.narrow(1, s - 1, 1), _cache, slot).view(rows, -1);
            }

            var (token, logProb) = Sample(stepLogits, settings, generator);   // [rows, 1] each
            alive.narrow(1, s, 1).copy_(finished.logical_not());
            tokens.narrow(1, s, 1).copy_(token.masked_fill_(finished, _tokenizer.PadId));
            logProbs.narrow(1, s, 1).copy_(logProb.masked_fill_(finished, 0));
            finished.logical_or_(token.eq(_tokenizer.EosId));
            steps++;

            // One host sync per token: stop as soon as every row has emitted its stop token.
            if (steps < settings.MaxNewTokens && finished.all().item<bool>()) break;
        }

        Publish(promptCount, groups, p, steps, promptIds, promptMask, promptPositions, positions);
        return _batch;
    }

    /// <summary>Temperature-scaled, nucleus-filtered sampling; returns the tokens and their behaviour log-probs, [rows, 1] each.</summary>
    private static (Tensor Token, Tensor LogProb) Sample(Tensor logits, SamplingSettings settings, Generator generator)
    {
        if (logits.dtype != ScalarType.Float32) logits = logits.to(ScalarType.Float32);
        if (settings.Temperature == 0)
        {
            var greedy = logits.argmax(-1, keepdim: true);
            return (greedy, logits.log_softmax(-1).gather(1, greedy));
        }

        var logp = (settings.Temperature == 1 ? logits : logits / settings.Temperature).log_softmax(-1);
        var probs = logp.exp();
        Tensor token;
        if (settings.TopP < 1)
        {
            // Keep the smallest set of most likely tokens whose mass reaches top-p: drop a token when the
            // tokens ranked above it already reach it. The most likely token is always kept.
            var (sorted, order) = probs.sort(-1, descending: true, stable: true);
            sorted.masked_fill_((sorted.cumsum(-1) - sorted).ge(settings.TopP), 0);
            token = order.gather(1, sorted.multinomial(1, generator: generator));
        }
        else
        {
            token = probs.multinomial(1, generator: generator);
        }

        return (token, logp.gather(1, token));
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
    private static void Broadcast(Tensor cache, int promptCount, int groups, int p)
    {
        var source = cache.narrow(0, 0, promptCount).narrow(2, 0, p).clone();     // [prompts, kv, P, d]
        var target = cache.narrow(0, 0, promptCount * groups).narrow(2, 0, p);   // [rows, kv, P, d]
        target.view(promptCount, groups, source.shape[1], p, source.shape[3]).copy_(source.unsqueeze(1));
    }

    /// <summary>Copies the decoding state into the contiguous output views and the host arrays.</summary>
    private void Publish(int promptCount, int groups, int p, int t, Tensor promptIds, Tensor promptMask, Tensor promptPositions, Tensor positions)
    {
        int rows = promptCount * groups, length = p + t;
        var tokens = _tokens.narrow(0, 0, rows).narrow(1, 0, t);
        var alive = _alive.narrow(0, 0, rows).narrow(1, 0, t);

        var sequences = Rows(_outSequences, rows, length);
        var attention = Rows(_outAttention, rows, length);
        var positionIds = Rows(_outPositions, rows, length);
        sequences.narrow(1, 0, p).view(promptCount, groups, p).copy_(promptIds.unsqueeze(1));
        sequences.narrow(1, p, t).copy_(tokens);
        attention.narrow(1, 0, p).view(promptCount, groups, p).copy_(promptMask.unsqueeze(1));
        attention.narrow(1, p, t).copy_(alive);
        positionIds.narrow(1, 0, p).view(promptCount, groups, p).copy_(promptPositions.unsqueeze(1));
        positionIds.narrow(1, p, t).copy_(positions.narrow(1, 0, t));
        var completionMask = Rows(_outCompletionMask, rows, t).copy_(alive);
        var logProbs = Rows(_outLogProbs, rows, t).copy_(_logProbs.narrow(0, 0, rows).narrow(1, 0, t));

        // One device-to-host copy; counts and stop flags follow from where the stop token is.
        var host = Rows(_hostCompletion, rows, t).copy_(tokens);
        var hostTokens = MemoryMarshal.Cast<byte, long>(host.bytes);
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

    private Tensor OnDevice(Tensor host) => _device.type == DeviceType.CPU ? host : host.to(_device);

    // A contiguous [rows, columns] view of the start of a flat buffer.
    private static Tensor Rows(Tensor flat, int rows, int columns) => flat.narrow(0, 0, (long)rows * columns).view(rows, columns);

    private static Tensor Buffer(long[] shape, ScalarType dtype, Device device) => zeros(shape, dtype, device).DetachFromDisposeScope();

    public void Dispose()
    {
        _batch.ReleaseViews();
        _cache.Dispose();
        foreach (var tensor in new[]
                 {
                     _promptIds, _promptMask, _promptPositions, _hostCompletion, _tokens, _alive, _logProbs, _finished, _steps,
                     _outSequences, _outAttention, _outPositions, _outCompletionMask, _outLogProbs,
                 })
        {
            tensor.Dispose();
        }
    }
}
