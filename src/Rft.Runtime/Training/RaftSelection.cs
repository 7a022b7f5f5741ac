using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// RAFT's choice of a step's completions (<see cref="RewardRanking.Keep"/>) with the buffers it needs, allocated once:
/// the kept rows as a [rows] device tensor of 0 and 1 for the loss mask, and their count and mean reward for the metrics.
/// </summary>
public sealed class RaftSelection : IDisposable
{
    private readonly float[] _scores;
    private readonly float[] _keep;
    private readonly Tensor _hostKeep;            // [maxRows] float32 on the CPU: the kept rows cross to the device from here

    public RaftSelection(int maxRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        _scores = new float[maxRows];
        _keep = new float[maxRows];
        using var scope = NewDisposeScope();
        _hostKeep = zeros([maxRows], ScalarType.Float32).DetachFromDisposeScope();
    }

    /// <summary>Completions kept by the last <see cref="Select"/>.</summary>
    public int Kept { get; private set; }

    /// <summary>Their mean reward total (NaN when none was kept).</summary>
    public double KeptMeanReward { get; private set; }

    /// <summary>
    /// Keeps the <paramref name="topK"/> best completions of each group of <paramref name="groupSize"/> rows (scoring at
    /// least <paramref name="threshold"/> unless it is NaN); sets <paramref name="rowTokens"/> to 0 for every row not kept,
    /// so the update's normalisers count the kept completions only.
    /// </summary>
    /// <returns>[rows] float32 on <paramref name="device"/>: 1 for a kept completion, else 0.</returns>
    public Tensor Select(ScoreBuffer scores, int rows, int groupSize, int topK, double threshold, Span<int> rowTokens, Device device)
    {
        ArgumentNullException.ThrowIfNull(scores);
        scores.CopyScores(0, _scores.AsSpan(0, rows));
        Kept = RewardRanking.Keep(_scores.AsSpan(0, rows), groupSize, Math.Min(topK, groupSize), threshold, _keep.AsSpan(0, rows));
        double total = 0;
        for (int i = 0; i < rows; i++)
        {
            if (_keep[i] == 0) rowTokens[i] = 0;
            else total += _scores[i];
        }

        KeptMeanReward = Kept == 0 ? double.NaN : total / Kept;
        using (var accessor = _hostKeep.data<float>()) accessor.CopyFrom(_keep.AsSpan(0, rows), 0, 0);
        var keep = _hostKeep.narrow(0, 0, rows);
        return device.type == TorchSharp.DeviceType.CPU ? keep.clone() : keep.to(device);
    }

    public void Dispose() => _hostKeep.Dispose();
}
