using Rft.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// How one update walks a rollout: each PPO epoch shuffles the rows (a seeded, checkpointable generator) and splits
/// them into mini-batches, one optimizer step each; each mini-batch, its rows in rollout order, is split into
/// micro-batches, one forward and backward each, small enough to fit in memory. The row order lives in a host array and a
/// device index tensor, both allocated once; a mini-batch's order crosses to the device in one copy.
/// </summary>
/// <remarks>
/// Mini-batches split the rows as evenly as they can (sizes differ by at most one, as <c>torch.tensor_split</c>), so
/// any row count works, including the fewer rows of a dynamic-sampling step. Micro-batches take
/// <c>microBatchSize</c> rows each, the last one the remainder. Every loss of a micro-batch is normalised by its whole
/// mini-batch's counts (<see cref="Normalisers"/>), so the accumulated gradient equals the mini-batch's.
/// </remarks>
public sealed class MiniBatchSchedule : IDisposable
{
    private readonly int[] _order;
    private readonly long[] _staging;
    private readonly Tensor _hostOrder;          // [maxRows] long, CPU
    private readonly Tensor _deviceOrder;        // [maxRows] long, on the device (the same tensor as _hostOrder on the CPU)

    /// <param name="maxRows">The most rows an update can have.</param>
    /// <param name="device">Where the training tensors live.</param>
    /// <param name="seed">Seeds the shuffle.</param>
    public MiniBatchSchedule(int maxRows, Device device, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        _order = new int[maxRows];
        _staging = new long[maxRows];
        Random = new CheckpointableRandom(seed);
        using var scope = NewDisposeScope();
        _hostOrder = zeros([maxRows], ScalarType.Int64, CPU).DetachFromDisposeScope();
        _deviceOrder = device.type == DeviceType.CPU ? _hostOrder : zeros([maxRows], ScalarType.Int64, device).DetachFromDisposeScope();
    }

    /// <summary>The shuffle's generator: its state belongs in a checkpoint.</summary>
    public CheckpointableRandom Random { get; }

    /// <summary>Rows in the current order.</summary>
    public int Rows { get; private set; }

    /// <summary>
    /// Puts rows [0, <paramref name="rows"/>) in a new random order (Fisher-Yates) on the host; <see cref="MiniBatch"/>
    /// sorts each mini-batch's share and writes it to the device index.
    /// </summary>
    public void Shuffle(int rows)
    {
        if (rows < 1 || rows > _order.Length) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"An update has 1 to {_order.Length} rows.");
        Rows = rows;
        for (int i = 0; i < rows; i++) _order[i] = i;
        for (int i = rows - 1; i > 0; i--)
        {
            int j = Random.Next(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }

    /// <summary>
    /// Mini-batch <paramref name="index"/> of <paramref name="count"/>: rows [Start, Start + Rows) of the current order, which
    /// this call puts in rollout order. Which rows make a mini-batch is the shuffle's; within it, the order only decides
    /// which rows share a micro-batch, and in rollout order a prompt's rows in the mini-batch sit together, so that its
    /// micro-batches run each prompt once (<see cref="Models.LlamaModel.ForwardPredicting"/>) as a whole-rollout forward
    /// does. The mini-batch's gradient is the same sum either way.
    /// </summary>
    public (int Start, int Rows) MiniBatch(int index, int count)
    {
        var (start, rows) = Split(Rows, count, index);
        Array.Sort(_order, start, rows);
        for (int i = start; i < start + rows; i++) _staging[i] = _order[i];
        using (var accessor = _hostOrder.data<long>()) accessor.CopyFrom(_staging.AsSpan(start, rows), 0, start);
        if (!ReferenceEquals(_deviceOrder, _hostOrder))
        {
            using var scope = NewDisposeScope();
            _deviceOrder.narrow(0, start, rows).copy_(_hostOrder.narrow(0, start, rows));
        }

        return (start, rows);
    }

    /// <summary>The micro-batches of a mini-batch, each [Start, Start + Rows) of the current order; 0 = the whole mini-batch.</summary>
    public static int MicroBatchCount(int miniBatchRows, int microBatchSize) =>
        microBatchSize <= 0 || microBatchSize >= miniBatchRows ? 1 : (miniBatchRows + microBatchSize - 1) / microBatchSize;

    /// <summary>Micro-batch <paramref name="index"/> of a mini-batch at <paramref name="start"/> with <paramref name="rows"/> rows.</summary>
    public static (int Start, int Rows) MicroBatch(int start, int rows, int microBatchSize, int index)
    {
        if (microBatchSize <= 0 || microBatchSize >= rows) return (start, rows);
        int from = index * microBatchSize;
        return (start + from, Math.Min(microBatchSize, rows - from));
    }

    /// <summary>
    /// The rollout rows at positions [<paramref name="start"/>, +<paramref name="rows"/>) of the order, as a device index
    /// tensor (a view), once <see cref="MiniBatch"/> has published the mini-batch that holds them.
    /// </summary>
    public Tensor Index(int start, int rows) => _deviceOrder.narrow(0, start, rows);

    /// <summary>The same rows on the host.</summary>
    public ReadOnlySpan<int> HostIndex(int start, int rows) => _order.AsSpan(start, rows);

    /// <summary>
    /// verl's global normalisers of the rows at order positions [<paramref name="start"/>, +<paramref name="rows"/>):
    /// their valid tokens (token-mean) and the rows with at least one (the seq-mean modes), counted on the host from
    /// <paramref name="rowTokens"/>, each rollout row's valid tokens (0 for a masked sample).
    /// </summary>
    public MiniBatchCounts Normalisers(int start, int rows, ReadOnlySpan<int> rowTokens)
    {
        long tokens = 0;
        int sequences = 0;
        foreach (int row in HostIndex(start, rows))
        {
            tokens += rowTokens[row];
            if (rowTokens[row] > 0) sequences++;
        }

        return new MiniBatchCounts(tokens, sequences);
    }

    /// <summary>Part <paramref name="index"/> of <paramref name="total"/> items split into <paramref name="parts"/> near-equal parts.</summary>
    public static (int Start, int Count) Split(int total, int parts, int index)
    {
        if (parts < 1 || index < 0 || index >= parts) throw new ArgumentOutOfRangeException(nameof(index), $"Part {index} of {parts}.");
        int size = total / parts, extra = total % parts;
        int start = index * size + Math.Min(index, extra);
        return (start, size + (index < extra ? 1 : 0));
    }

    public void Dispose()
    {
        if (!ReferenceEquals(_deviceOrder, _hostOrder)) _deviceOrder.Dispose();
        _hostOrder.Dispose();
    }
}
