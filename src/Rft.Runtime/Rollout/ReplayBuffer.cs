using System.Runtime.InteropServices;
using MessagePack;
using Rft.Data;
using Rft.Data.Curricula;
using Rft.Training.Forward;
using static TorchSharp.torch;

namespace Rft.Rollout;

/// <summary>
/// Past rollouts kept for replay ([Replay], ReMix): each row's tokens, masks, behaviour log-probs, advantages and score,
/// and the policy version (the RL step) that sampled it, in storage allocated once on the training device. Rows are
/// stored as <see cref="RolloutAccumulator"/> stores them (prompt right-aligned at column <c>MaxPromptTokens</c>, the
/// completion after it), so rows of rollouts with different lengths can be gathered into one update batch.
/// </summary>
/// <remarks>
/// A step: <see cref="Add"/> the fresh rows (they overwrite the oldest slots once the storage is full), then
/// <see cref="Mix"/>, which evicts the rows older than <c>maxStaleness</c> steps and draws the replayed rows uniformly,
/// without replacement, from the rest. The draws use a <see cref="CheckpointableRandom"/>; <see cref="SaveState"/> and
/// <see cref="LoadState"/> carry everything, so a resumed run replays what an uninterrupted one would.
/// </remarks>
public sealed class ReplayBuffer : IDisposable
{
    private const string Kind = "ReplayBuffer";
    private const int Version = 1;

    private readonly long _padId;
    private readonly int _width;                   // MaxPromptTokens + MaxNewTokens

    // Device storage, one row per slot.
    private readonly Tensor _sequences;            // [Capacity, width] long
    private readonly Tensor _attention;            // [Capacity, width] bool
    private readonly Tensor _positions;            // [Capacity, width] long
    private readonly Tensor _mask;                 // [Capacity, MaxNewTokens] float32: completion mask x sample validity
    private readonly Tensor _behaviour;            // [Capacity, MaxNewTokens] float32
    private readonly Tensor _advantages;           // [Capacity, MaxNewTokens] float32
    private readonly Tensor _scores;               // [Capacity] float32

    // Host bookkeeping, one entry per slot.
    private readonly int[] _version;               // the step that sampled the row; -1: empty
    private readonly int[] _promptLength;
    private readonly int[] _completionLength;      // completion positions, the stop token included
    private readonly int[] _tokens;                // tokens in the loss (0 for a masked sample)
    private readonly bool[] _isFresh;
    private int _next;                             // the slot the next row is written to

    // Host scratch, reused every step.
    private readonly int[] _candidates;
    private readonly int[] _mixSlots;
    private readonly int[] _mixTokens;
    private readonly long[] _staging;
    private readonly float[] _signal;
    private readonly float[] _promptTokens;
    private readonly long[] _indices;
    private readonly ReplayMix _mix;

    /// <param name="capacity">Rows the storage holds.</param>
    /// <param name="maxFreshRows">The most rows one <see cref="Add"/> brings (a step's rollout).</param>
    /// <param name="maxReplayedRows">The most rows one <see cref="Mix"/> replays.</param>
    /// <param name="padId">The tokenizer's pad id, written into padding.</param>
    /// <param name="seed">Seeds the draws.</param>
    public ReplayBuffer(int capacity, int maxFreshRows, int maxReplayedRows, int maxPromptTokens, int maxNewTokens, int padId, Device device, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFreshRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxReplayedRows, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPromptTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNewTokens, 1);
        if (capacity < maxFreshRows)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"The replay storage must hold at least one step's {maxFreshRows} rows.");
        Capacity = capacity;
        MaxFreshRows = maxFreshRows;
        MaxReplayedRows = maxReplayedRows;
        MaxPromptTokens = maxPromptTokens;
        MaxNewTokens = maxNewTokens;
        _padId = padId;
        _width = maxPromptTokens + maxNewTokens;
        Random = new CheckpointableRandom(seed);

        using (var scope = NewDisposeScope())
        {
            _sequences = full([capacity, _width], padId, ScalarType.Int64, device).DetachFromDisposeScope();
            _attention = zeros([capacity, _width], ScalarType.Bool, device).DetachFromDisposeScope();
            _positions = zeros([capacity, _width], ScalarType.Int64, device).DetachFromDisposeScope();
            _mask = zeros([capacity, maxNewTokens], ScalarType.Float32, device).DetachFromDisposeScope();
            _behaviour = zeros([capacity, maxNewTokens], ScalarType.Float32, device).DetachFromDisposeScope();
            _advantages = zeros([capacity, maxNewTokens], ScalarType.Float32, device).DetachFromDisposeScope();
            _scores = zeros([capacity], ScalarType.Float32, device).DetachFromDisposeScope();
        }

        _version = new int[capacity];
        Array.Fill(_version, -1);
        _promptLength = new int[capacity];
        _completionLength = new int[capacity];
        _tokens = new int[capacity];
        _isFresh = new bool[capacity];
        _candidates = new int[capacity];
        _mixSlots = new int[maxFreshRows + maxReplayedRows];
        _mixTokens = new int[maxFreshRows + maxReplayedRows];
        _staging = new long[Math.Max(capacity, maxFreshRows + maxReplayedRows)];
        _signal = new float[maxFreshRows];
        _promptTokens = new float[maxFreshRows];
        _indices = new long[Math.Max(capacity, maxFreshRows + maxReplayedRows)];
        _mix = new ReplayMix(this);
    }

    public int Capacity { get; }

    /// <summary>The pad id written into padding.</summary>
    internal long PadId => _padId;
    public int MaxFreshRows { get; }
    public int MaxReplayedRows { get; }
    public int MaxPromptTokens { get; }
    public int MaxNewTokens { get; }

    /// <summary>The draws' generator: its state belongs in a checkpoint (it is in <see cref="SaveState"/>).</summary>
    public CheckpointableRandom Random { get; }

    /// <summary>Rows held.</summary>
    public int Count
    {
        get
        {
            int count = 0;
            foreach (int version in _version) if (version >= 0) count++;
            return count;
        }
    }

    /// <summary>Rows dropped by the last <see cref="Mix"/> for being older than its staleness bound.</summary>
    public int EvictedStale { get; private set; }

    /// <summary>Rows the last <see cref="Add"/> did not store because their advantages were all zero.</summary>
    public int SkippedFlat { get; private set; }

    /// <summary>The replayed rows for <paramref name="freshRows"/> fresh ones at <paramref name="onPolicyShare"/>: <c>round(N (1 - share) / share)</c>.</summary>
    public static int ReplayedRows(int freshRows, double onPolicyShare)
    {
        if (!(onPolicyShare > 0 && onPolicyShare <= 1))
            throw new ArgumentOutOfRangeException(nameof(onPolicyShare), onPolicyShare, "The on-policy share must be in (0, 1].");
        return (int)Math.Round(freshRows * (1 - onPolicyShare) / onPolicyShare, MidpointRounding.AwayFromZero);
    }

    /// <summary>
    /// Stores the rows of a step's rollout with their loss mask, advantages and scores; <paramref name="version"/> is the
    /// policy version that sampled them (the step). With <paramref name="signalOnly"/>, rows whose advantages are all zero
    /// are not stored (they are still the update's fresh rows). The oldest slots are overwritten first.
    /// </summary>
    /// <param name="mask">[N, T] completion mask times sample validity.</param>
    /// <param name="advantages">[N, T].</param>
    /// <param name="scores">[N] each row's reward total.</param>
    /// <param name="rowTokens">Each row's tokens in the loss (0 for a masked sample).</param>
    public void Add(RolloutBatch rollout, Tensor mask, Tensor advantages, Tensor scores, ReadOnlySpan<int> rowTokens, int version, bool signalOnly)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        int rows = rollout.Rows, p = rollout.PromptLength, t = rollout.CompletionLength;
        if (rows > MaxFreshRows) throw new ArgumentException($"{rows} rows exceed the {MaxFreshRows} fresh rows a step may add.", nameof(rollout));
        if (p > MaxPromptTokens || t > MaxNewTokens)
            throw new ArgumentException($"The rollout's lengths (prompt {p}, completion {t}) exceed the storage's ({MaxPromptTokens}, {MaxNewTokens}).", nameof(rollout));
        if (rowTokens.Length < rows) throw new ArgumentException($"{rowTokens.Length} token counts for {rows} rows.", nameof(rowTokens));

        using var scope = NewDisposeScope();
        // Two small copies to the host: each row's prompt tokens and, with signalOnly, whether its advantages are all zero.
        CopyToHost(rollout.AttentionMask.narrow(1, 0, p).sum(1).to(ScalarType.Float32), _promptTokens.AsSpan(0, rows));
        if (signalOnly) CopyToHost(advantages.detach().abs().sum(1).to(ScalarType.Float32), _signal.AsSpan(0, rows));
        Array.Clear(_isFresh);
        SkippedFlat = 0;
        int stored = 0;
        for (int row = 0; row < rows; row++)
        {
            bool keep = rowTokens[row] > 0 && (!signalOnly || _signal[row] != 0);
            if (!keep)
            {
                if (rowTokens[row] > 0) SkippedFlat++;
                _staging[row] = -1;
                continue;
            }

            int slot = _next;
            _next = (_next + 1) % Capacity;
            _version[slot] = version;
            _promptLength[slot] = (int)_promptTokens[row];
            _completionLength[slot] = rollout.CompletionTokenCount(row);
            _tokens[slot] = rowTokens[row];
            _isFresh[slot] = true;
            _staging[row] = slot;
            stored++;
        }

        if (stored == 0) return;

        // Rows kept, in order, and the slots they go to; every slot is cleared to padding, then its window written.
        var device = _sequences.device;
        var rowIndex = Index(Kept(rows, slots: false), device);
        var slotIndex = Index(Kept(rows, slots: true), device);
        _sequences.index_fill_(0, slotIndex, _padId);
        _attention.index_fill_(0, slotIndex, false);
        _positions.index_fill_(0, slotIndex, 0);
        _mask.index_fill_(0, slotIndex, 0);
        _behaviour.index_fill_(0, slotIndex, 0);
        _advantages.index_fill_(0, slotIndex, 0);

        int start = MaxPromptTokens - p;
        _sequences.narrow(1, start, p + t).index_copy_(0, slotIndex, rollout.Sequences.index_select(0, rowIndex));
        _attention.narrow(1, start, p + t).index_copy_(0, slotIndex, rollout.AttentionMask.index_select(0, rowIndex));
        _positions.narrow(1, start, p + t).index_copy_(0, slotIndex, rollout.PositionIds.index_select(0, rowIndex));
        if (t > 0)
        {
            _mask.narrow(1, 0, t).index_copy_(0, slotIndex, mask.detach().index_select(0, rowIndex).to(ScalarType.Float32));
            _behaviour.narrow(1, 0, t).index_copy_(0, slotIndex, rollout.LogProbs.index_select(0, rowIndex));
            _advantages.narrow(1, 0, t).index_copy_(0, slotIndex, advantages.detach().index_select(0, rowIndex).to(ScalarType.Float32));
        }

        _scores.index_copy_(0, slotIndex, scores.detach().index_select(0, rowIndex).to(ScalarType.Float32));
    }

    /// <summary>
    /// The update's rows: the step's fresh rows, then replayed rows drawn uniformly without replacement among those older
    /// than the fresh ones and at most <paramref name="maxStaleness"/> steps old (older rows are evicted first), as many as
    /// <see cref="ReplayedRows"/> asks for <paramref name="freshRollout"/>'s rows, or as many as there are.
    /// </summary>
    /// <param name="freshRollout">The rollout <see cref="Add"/> stored: its rows are the update's first rows.</param>
    /// <param name="freshMask">[N, T] the fresh rows' loss mask, as given to <see cref="Add"/>.</param>
    /// <param name="freshAdvantages">[N, T] the fresh rows' advantages.</param>
    /// <param name="freshScores">[N] the fresh rows' scores.</param>
    /// <param name="freshTokens">Each fresh row's tokens in the loss.</param>
    /// <param name="step">The current step (the fresh rows' version).</param>
    /// <returns>The mix, valid until the next call; its tensors belong to the caller's dispose scope.</returns>
    public ReplayMix Mix(RolloutBatch freshRollout, Tensor freshMask, Tensor freshAdvantages, Tensor freshScores, ReadOnlySpan<int> freshTokens,
        int step, double onPolicyShare, int maxStaleness)
    {
        ArgumentNullException.ThrowIfNull(freshRollout);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStaleness, 0);
        int fresh = freshRollout.Rows;
        EvictedStale = 0;
        int candidates = 0;
        for (int slot = 0; slot < Capacity; slot++)
        {
            if (_version[slot] < 0 || _isFresh[slot]) continue;
            if (step - _version[slot] > maxStaleness)
            {
                _version[slot] = -1;
                EvictedStale++;
                continue;
            }

            _candidates[candidates++] = slot;
        }

        int wanted = Math.Min(ReplayedRows(fresh, onPolicyShare), MaxReplayedRows);
        int replayed = Math.Min(wanted, candidates);
        // A partial Fisher-Yates shuffle: the first `replayed` candidates become a uniform draw without replacement.
        for (int i = 0; i < replayed; i++)
        {
            int j = i + Random.Next(candidates - i);
            (_candidates[i], _candidates[j]) = (_candidates[j], _candidates[i]);
        }

        for (int i = 0; i < fresh; i++) _mixTokens[i] = freshTokens[i];
        double staleness = 0;
        int promptLength = freshRollout.PromptLength, completionLength = freshRollout.CompletionLength;
        for (int i = 0; i < replayed; i++)
        {
            int slot = _candidates[i];
            _mixSlots[i] = slot;
            _mixTokens[fresh + i] = _tokens[slot];
            staleness += step - _version[slot];
            promptLength = Math.Max(promptLength, _promptLength[slot]);
            completionLength = Math.Max(completionLength, _completionLength[slot]);
        }

        _mix.Fill(freshRollout, freshMask, freshAdvantages, freshScores, _mixSlots.AsSpan(0, replayed), _mixTokens.AsSpan(0, fresh + replayed),
            promptLength, completionLength, replayed == 0 ? double.NaN : staleness / replayed);
        return _mix;
    }

    /// <summary>Forgets every row (policy reincarnation: rows of the policies before it are not replayed).</summary>
    public void Clear()
    {
        Array.Fill(_version, -1);
        Array.Clear(_isFresh);
    }

    /// <summary>Slot <paramref name="slot"/>'s policy version, or -1 when it is empty (for tests and reports).</summary>
    public int VersionAt(int slot) => _version[slot];

    /// <summary>The tensors of <paramref name="slots"/> at the window of <paramref name="promptLength"/> + <paramref name="completionLength"/>.</summary>
    internal (SequenceRows Rows, Tensor Mask, Tensor Behaviour, Tensor Advantages, Tensor Scores) Gather(ReadOnlySpan<int> slots, int promptLength, int completionLength)
    {
        for (int i = 0; i < slots.Length; i++) _indices[i] = slots[i];
        var index = Index(_indices.AsSpan(0, slots.Length), _sequences.device);
        int start = MaxPromptTokens - promptLength, length = promptLength + completionLength;
        var rows = new SequenceRows(
            _sequences.index_select(0, index).narrow(1, start, length),
            _attention.index_select(0, index).narrow(1, start, length),
            _positions.index_select(0, index).narrow(1, start, length),
            promptLength, completionLength);
        return (rows, _mask.index_select(0, index).narrow(1, 0, completionLength), _behaviour.index_select(0, index).narrow(1, 0, completionLength),
            _advantages.index_select(0, index).narrow(1, 0, completionLength), _scores.index_select(0, index));
    }

    /// <summary>The stored rows, their bookkeeping and the draws' generator, as MessagePack.</summary>
    public byte[] SaveState() => CheckpointState.Save(Kind, Version, 14, Write);

    /// <summary>Restores a state written by <see cref="SaveState"/> of a buffer with the same capacity and lengths.</summary>
    /// <exception cref="FormatException">The bytes are not such a state, or the shapes differ.</exception>
    public void LoadState(ReadOnlySpan<byte> state) => CheckpointState.Load(state, Kind, Version, 14, Read);

    private void Write(ref MessagePackWriter writer)
    {
        writer.Write(Capacity);
        writer.Write(MaxPromptTokens);
        writer.Write(MaxNewTokens);
        writer.Write(_next);
        WriteInts(ref writer, _version);
        WriteInts(ref writer, _promptLength);
        WriteInts(ref writer, _completionLength);
        WriteInts(ref writer, _tokens);
        Random.Write(ref writer);
        WriteTensor(ref writer, _sequences.to(ScalarType.Int32));
        WriteTensor(ref writer, _attention.to(ScalarType.Byte));
        WriteTensor(ref writer, _positions.to(ScalarType.Int32));
        WriteTensor(ref writer, stack([_mask, _behaviour, _advantages]));
        WriteTensor(ref writer, _scores);
    }

    private void Read(ref MessagePackReader reader)
    {
        int capacity = reader.ReadInt32(), prompt = reader.ReadInt32(), newTokens = reader.ReadInt32();
        if (capacity != Capacity || prompt != MaxPromptTokens || newTokens != MaxNewTokens)
            throw new FormatException($"The replay state holds {capacity} rows of {prompt} + {newTokens} tokens; this buffer holds {Capacity} of {MaxPromptTokens} + {MaxNewTokens}.");
        _next = reader.ReadInt32();
        ReadInts(ref reader, _version);
        ReadInts(ref reader, _promptLength);
        ReadInts(ref reader, _completionLength);
        ReadInts(ref reader, _tokens);
        Random.Read(ref reader);
        ReadTensor(ref reader, _sequences, ScalarType.Int32);
        ReadTensor(ref reader, _attention, ScalarType.Byte);
        ReadTensor(ref reader, _positions, ScalarType.Int32);
        using (var scope = NewDisposeScope())
        {
            var perToken = empty([3, Capacity, MaxNewTokens], ScalarType.Float32);
            ReadTensor(ref reader, perToken, ScalarType.Float32);
            _mask.copy_(perToken[0]);
            _behaviour.copy_(perToken[1]);
            _advantages.copy_(perToken[2]);
        }

        ReadTensor(ref reader, _scores, ScalarType.Float32);
        Array.Clear(_isFresh);
    }

    private static void WriteInts(ref MessagePackWriter writer, int[] values) => writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));

    private static void ReadInts(ref MessagePackReader reader, int[] into)
    {
        var bytes = reader.ReadBytes() ?? throw new FormatException("A replay state field is nil.");
        if (bytes.Length != into.Length * sizeof(int)) throw new FormatException($"A replay state field has {bytes.Length} bytes; expected {into.Length * sizeof(int)}.");
        System.Buffers.BuffersExtensions.CopyTo(bytes, MemoryMarshal.AsBytes(into.AsSpan()));
    }

    private static void WriteTensor(ref MessagePackWriter writer, Tensor value)
    {
        using var scope = NewDisposeScope();
        var host = value.cpu().contiguous();
        writer.Write(host.bytes);
    }

    private static void ReadTensor(ref MessagePackReader reader, Tensor into, ScalarType stored)
    {
        var bytes = reader.ReadBytes() ?? throw new FormatException("A replay state tensor is nil.");
        using var scope = NewDisposeScope();
        var host = empty(into.shape, stored);
        if (bytes.Length != host.bytes.Length) throw new FormatException($"A replay state tensor has {bytes.Length} bytes; expected {host.bytes.Length}.");
        System.Buffers.BuffersExtensions.CopyTo(bytes, host.bytes);
        into.copy_(host.to(into.dtype));
    }

    private static void CopyToHost(Tensor values, Span<float> into)
    {
        using var scope = NewDisposeScope();
        using var accessor = values.cpu().contiguous().data<float>();
        accessor.CopyTo(into);
    }

    // The kept rows of the last Add (slots: false) or the slots they went to (true), packed into _indices.
    private ReadOnlySpan<long> Kept(int rows, bool slots)
    {
        int k = 0;
        for (int row = 0; row < rows; row++)
        {
            if (_staging[row] >= 0) _indices[k++] = slots ? _staging[row] : row;
        }

        return _indices.AsSpan(0, k);
    }

    // A [n] long index on the storage's device, in the caller's dispose scope.
    private static Tensor Index(ReadOnlySpan<long> values, Device device)
    {
        var host = empty([values.Length], ScalarType.Int64);
        values.CopyTo(MemoryMarshal.Cast<byte, long>(host.bytes));
        return device.type == TorchSharp.DeviceType.CPU ? host : host.to(device);
    }

    public void Dispose()
    {
        foreach (var tensor in new[] { _sequences, _attention, _positions, _mask, _behaviour, _advantages, _scores }) tensor.Dispose();
    }
}
