using Rft.Algorithms;
using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// Online DPO's pairs of a step (<see cref="PreferencePairs.Select"/>) and their metrics: the chosen and rejected rows as
/// one device index (chosen rows first), and the DPO loss, accuracy and reward margin summed over the step's micro-batches
/// on the device, read once. Buffers allocated once.
/// </summary>
public sealed class PreferenceBatch : IDisposable
{
    private readonly int[] _chosen;
    private readonly int[] _rejected;
    private readonly long[] _staging;
    private readonly Device _device;
    private readonly Tensor _sums;                  // [4]: loss x pairs, accuracy x pairs, margin x pairs, pairs
    private Tensor? _index;                         // [2 Count]: chosen rows, then rejected rows

    public PreferenceBatch(int maxPairs, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPairs, 1);
        _chosen = new int[maxPairs];
        _rejected = new int[maxPairs];
        _staging = new long[2 * maxPairs];
        _device = device;
        using var scope = NewDisposeScope();
        _sums = zeros([4], ScalarType.Float64, device).DetachFromDisposeScope();
    }

    /// <summary>Pairs of the last <see cref="Select"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Forms the step's pairs from its scores (groups of <paramref name="groupSize"/> rows) and resets the metrics.</summary>
    public int Select(ScoreBuffer scores, int rows, int groupSize)
    {
        ArgumentNullException.ThrowIfNull(scores);
        Span<float> values = rows <= 4096 ? stackalloc float[rows] : new float[rows];
        scores.CopyScores(0, values);
        Count = PreferencePairs.Select(values, groupSize, _chosen, _rejected);
        for (int i = 0; i < Count; i++)
        {
            _staging[i] = _chosen[i];
            _staging[Count + i] = _rejected[i];
        }

        _index?.Dispose();
        using (var scope = NewDisposeScope())
        {
            var index = tensor(_staging.AsSpan(0, 2 * Count).ToArray(), ScalarType.Int64);
            _index = (_device.type == TorchSharp.DeviceType.CPU ? index : index.to(_device)).DetachFromDisposeScope();
            _sums.zero_();
        }

        return Count;
    }

    /// <summary>Pairs [<paramref name="first"/>, +<paramref name="size"/>) as a [2 size] row index: their chosen rows, then their rejected rows.</summary>
    public Tensor Index(int first, int size)
    {
        if (_index is null || first < 0 || first + size > Count) throw new ArgumentOutOfRangeException(nameof(first), $"Pairs [{first}, {first + size}) of {Count}.");
        return cat([_index.narrow(0, first, size), _index.narrow(0, Count + first, size)]);
    }

    /// <summary>Adds a micro-batch's DPO result over <paramref name="pairs"/> pairs to the step's metrics.</summary>
    public void Add(DpoLossResult result, int pairs)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var scope = NewDisposeScope();
        _sums.add_(stack([
            result.Losses.sum().to(ScalarType.Float64),
            (result.Accuracy * pairs).to(ScalarType.Float64),
            (result.ChosenRewards - result.RejectedRewards).sum().to(ScalarType.Float64),
            tensor((double)pairs, ScalarType.Float64, _sums.device),
        ]));
    }

    /// <summary>The mean DPO loss of the pairs trained on since <see cref="Select"/> (NaN when none).</summary>
    public double MeanLoss => Mean(0);

    /// <summary>The share of those pairs whose chosen completion the policy already prefers, relative to the reference.</summary>
    public double MeanAccuracy => Mean(1);

    /// <summary>The mean implicit reward margin <c>beta ((log pi - log ref)(chosen) - (log pi - log ref)(rejected))</c>.</summary>
    public double MeanMargin => Mean(2);

    private double Mean(int slot)
    {
        using var scope = NewDisposeScope();
        var host = _sums.cpu();
        using var accessor = host.data<double>();
        return accessor[3] == 0 ? double.NaN : accessor[slot] / accessor[3];
    }

    public void Dispose()
    {
        _sums.Dispose();
        _index?.Dispose();
    }
}
