using static TorchSharp.torch;

namespace Rft.Rollout;

/// <summary>
/// The result of <see cref="Sampler.Generate"/>: prompts and completions of <see cref="Rows"/> rows, rows
/// grouped by prompt (prompt p occupies rows [p * G, (p + 1) * G)). The tensors are views of buffers the
/// sampler allocated once; they and the host copies stay valid until its next <c>Generate</c>.
/// </summary>
/// <remarks>
/// <see cref="CompletionLength"/> is the number of decoding steps the sampler ran: at most
/// <see cref="SamplingSettings.MaxNewTokens"/>, fewer when every row emitted its stop token earlier.
/// </remarks>
public sealed class RolloutBatch
{
    private readonly int[] _tokens;        // row r's completion at [r * _stride, r * _stride + count)
    private readonly int[] _counts;
    private readonly bool[] _finished;
    private readonly int[] _promptLengths;
    private readonly int _stride;

    internal RolloutBatch(int maxRows, int maxNewTokens)
    {
        _stride = maxNewTokens;
        _tokens = new int[maxRows * maxNewTokens];
        _counts = new int[maxRows];
        _finished = new bool[maxRows];
        _promptLengths = new int[maxRows];
    }

    public int Rows { get; private set; }

    /// <summary>Completions sampled per prompt (G).</summary>
    public int SamplesPerPrompt { get; private set; }

    /// <summary>P: prompt positions, the longest prompt's length; shorter prompts are left-padded.</summary>
    public int PromptLength { get; private set; }

    /// <summary>T: completion positions.</summary>
    public int CompletionLength { get; private set; }

    /// <summary>[Rows, P + T] long: left-padded prompt, then the completion right-padded with the pad id.</summary>
    public Tensor Sequences { get; private set; } = null!;

    /// <summary>[Rows, P + T] bool, true on real tokens (prompt tokens and completion tokens up to the stop token).</summary>
    public Tensor AttentionMask { get; private set; } = null!;

    /// <summary>[Rows, P + T] long rotary positions: 0 at BOS, continuing into the completion (0 on left padding).</summary>
    public Tensor PositionIds { get; private set; } = null!;

    /// <summary>[Rows, T] float32: 1 on generated tokens, the stop token included; 0 after it.</summary>
    public Tensor CompletionMask { get; private set; } = null!;

    /// <summary>[Rows, T] float32 behaviour log-probs of the sampled tokens under temperature-scaled logits (temperature 1 when greedy); 0 where masked.</summary>
    public Tensor LogProbs { get; private set; } = null!;

    /// <summary>The completion's token ids, without the stop token (host copy).</summary>
    public ReadOnlySpan<int> CompletionTokens(int row)
    {
        CheckRow(row);
        return _tokens.AsSpan(row * _stride, _counts[row] - (_finished[row] ? 1 : 0));
    }

    /// <summary>True when the row emitted the stop token; false when it was cut at the token limit.</summary>
    public bool Finished(int row)
    {
        CheckRow(row);
        return _finished[row];
    }

    /// <summary>Generated tokens of the row, the stop token included.</summary>
    public int CompletionTokenCount(int row)
    {
        CheckRow(row);
        return _counts[row];
    }

    /// <summary>Tokens generated over all rows, stop tokens included (host; for throughput).</summary>
    public long GeneratedTokens
    {
        get
        {
            long total = 0;
            for (int row = 0; row < Rows; row++) total += _counts[row];
            return total;
        }
    }

    /// <summary>Real tokens over all rows, prompt (BOS included, padding not) and completion (host; for throughput).</summary>
    public long SequenceTokens
    {
        get
        {
            long total = 0;
            for (int row = 0; row < Rows; row++) total += _promptLengths[row] + _counts[row];
            return total;
        }
    }

    // The sampler's host buffers: it writes row r's tokens at [r * stride, ...) and then sets counts and flags.
    internal Span<int> HostTokens => _tokens;
    internal Span<int> HostCounts => _counts;
    internal Span<bool> HostFinished => _finished;
    internal Span<int> HostPromptLengths => _promptLengths;
    internal int HostStride => _stride;

    /// <summary>Points the batch at new views; the previous views are released (the buffers behind them live on).</summary>
    internal void Set(int rows, int samplesPerPrompt, int promptLength, int completionLength,
        Tensor sequences, Tensor attentionMask, Tensor positionIds, Tensor completionMask, Tensor logProbs)
    {
        ReleaseViews();
        Rows = rows;
        SamplesPerPrompt = samplesPerPrompt;
        PromptLength = promptLength;
        CompletionLength = completionLength;
        Sequences = sequences.DetachFromDisposeScope();
        AttentionMask = attentionMask.DetachFromDisposeScope();
        PositionIds = positionIds.DetachFromDisposeScope();
        CompletionMask = completionMask.DetachFromDisposeScope();
        LogProbs = logProbs.DetachFromDisposeScope();
    }

    internal void ReleaseViews()
    {
        Sequences?.Dispose();
        AttentionMask?.Dispose();
        PositionIds?.Dispose();
        CompletionMask?.Dispose();
        LogProbs?.Dispose();
    }

    private void CheckRow(int row)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), $"Row {row} is outside the rollout's {Rows} rows.");
    }
}
