using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// The weighted reward total of each completion of a step, with its validity (false when a reward
/// threw or returned NaN) and correctness. Host arrays and their tensor copies are allocated once.
/// </summary>
public sealed class ScoreBuffer : IDisposable
{
    private readonly float[] _scores;
    private readonly float[] _valid;
    private readonly bool[] _correct;
    private Tensor? _scoresTensor;
    private Tensor? _validTensor;
    private Tensor? _staging;
    private int _rows;

    public ScoreBuffer(int capacity)
    {
        _scores = new float[capacity];
        _valid = new float[capacity];
        _correct = new bool[capacity];
    }

    /// <summary>Samples masked this step because a reward failed.</summary>
    public int Masked { get; private set; }

    /// <summary>Reward calls that ran past their timeout this step (each also masks its sample).</summary>
    public int TimedOut { get; private set; }

    /// <summary>Failures per reward since the start of the run.</summary>
    public Dictionary<string, int> FailuresByReward { get; } = new(StringComparer.Ordinal);

    /// <summary>The last failure, for the log.</summary>
    public Exception? LastFailure { get; private set; }

    /// <summary>Share of this step's valid completions that were correct.</summary>
    public double Accuracy
    {
        get
        {
            int valid = 0, correct = 0;
            for (int i = 0; i < _rows; i++)
            {
                if (_valid[i] == 0) continue;
                valid++;
                if (_correct[i]) correct++;
            }

            return valid == 0 ? double.NaN : (double)correct / valid;
        }
    }

    public void Clear(int rows)
    {
        if (rows > _scores.Length) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"at most {_scores.Length} rows");
        _rows = rows;
        Masked = 0;
        TimedOut = 0;
    }

    /// <summary>
    /// Uses the first <paramref name="rows"/> rows from now on, keeping what they hold and the masked count
    /// (dynamic sampling scores a step's rows in rounds and then keeps some of them).
    /// </summary>
    public void SetRowCount(int rows)
    {
        if (rows < 0 || rows > _scores.Length) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"at most {_scores.Length} rows");
        _rows = rows;
    }

    /// <summary>Copies rows [<paramref name="from"/>, +<paramref name="count"/>) over [<paramref name="to"/>, +<paramref name="count"/>).</summary>
    public void MoveRows(int from, int to, int count)
    {
        Array.Copy(_scores, from, _scores, to, count);
        Array.Copy(_valid, from, _valid, to, count);
        Array.Copy(_correct, from, _correct, to, count);
    }

    /// <summary>The totals of rows [<paramref name="start"/>, +<paramref name="into"/>.Length), NaN for masked samples.</summary>
    public void CopyScores(int start, Span<float> into)
    {
        for (int i = 0; i < into.Length; i++) into[i] = Score(start + i);
    }

    /// <summary>Records a completion's total; a NaN total masks the sample.</summary>
    public void Set(int row, float score, bool correct)
    {
        bool valid = !float.IsNaN(score) && !float.IsInfinity(score);
        if (!valid) Masked++;
        _scores[row] = valid ? score : 0f;
        _valid[row] = valid ? 1f : 0f;
        _correct[row] = valid && correct;
    }

    /// <summary>Row <paramref name="row"/>'s weighted total, or NaN when the sample is masked.</summary>
    public float Score(int row) => _valid[row] == 0 ? float.NaN : _scores[row];

    /// <summary>Whether row <paramref name="row"/> was counted correct by the accuracy reward.</summary>
    public bool IsCorrect(int row) => _correct[row];

    /// <summary>
    /// The learning signal of each group of <paramref name="groupSize"/> consecutive rows (one prompt's
    /// completions), over its valid rows: the share that was correct, and the mean absolute advantage
    /// (<paramref name="advantages"/> holds one value per row). A group without valid rows gets NaN for both.
    /// </summary>
    public void GroupSignal(int groupSize, ReadOnlySpan<float> advantages, Span<double> passRate, Span<double> meanAbsAdvantage)
    {
        int groups = _rows / groupSize;
        if (passRate.Length < groups || meanAbsAdvantage.Length < groups || advantages.Length < _rows)
            throw new ArgumentException($"GroupSignal needs {groups} group slots and {_rows} advantages.");
        for (int g = 0; g < groups; g++)
        {
            int valid = 0, correct = 0;
            double absolute = 0;
            for (int i = g * groupSize; i < (g + 1) * groupSize; i++)
            {
                if (_valid[i] == 0) continue;
                valid++;
                if (_correct[i]) correct++;
                absolute += Math.Abs(advantages[i]);
            }

            passRate[g] = valid == 0 ? double.NaN : (double)correct / valid;
            meanAbsAdvantage[g] = valid == 0 ? double.NaN : absolute / valid;
        }
    }

    /// <summary>
    /// Each row's tokens in the loss, on the host: the completion's tokens (the stop token included) for a valid sample, 0
    /// for a masked one. They are the update's normalisers (<see cref="MiniBatchSchedule.Normalisers"/>) without a device sync.
    /// </summary>
    public void ValidTokens(Rollout.RolloutBatch rollout, Span<int> into)
    {
        if (rollout.Rows != _rows || into.Length < _rows)
            throw new ArgumentException($"The rollout has {rollout.Rows} rows and the buffer {_rows}; {into.Length} slots were given.");
        for (int row = 0; row < _rows; row++) into[row] = _valid[row] == 0 ? 0 : rollout.CompletionTokenCount(row);
    }

    /// <summary>Counts a reward call that ran past its timeout (and as a failure); the caller then sets a NaN score for that sample.</summary>
    public void RecordTimeout(string reward, RewardTimeoutException exception)
    {
        TimedOut++;
        RecordFailure(reward, exception);
    }

    /// <summary>
    /// Stops the run when more than <paramref name="maxShare"/> of <paramref name="samples"/> had a reward time out this step
    /// (Rft:MaxTimedOutShare): the reward service is down, and training on the rest would learn nothing.
    /// </summary>
    /// <exception cref="RewardTimeoutException">Too many timeouts; the message says how many and what to check.</exception>
    public void ThrowOnTooManyTimeouts(int samples, double maxShare)
    {
        if (samples <= 0 || TimedOut <= maxShare * samples) return;
        throw new RewardTimeoutException(
            $"{TimedOut} of this step's {samples} reward calls ran past their timeout (more than Rft:MaxTimedOutShare = {maxShare:G}): {LastFailure?.Message} " +
            "The run stops here (its checkpoint is saved); check the reward's service, or raise Rft:<Reward>TimeoutSeconds.");
    }

    /// <summary>Counts a reward that threw; the caller then sets a NaN score for that sample.</summary>
    public void RecordFailure(string reward, Exception exception)
    {
        FailuresByReward[reward] = FailuresByReward.TryGetValue(reward, out var n) ? n + 1 : 1;
        LastFailure = exception;
    }

    /// <summary>Share of groups of <paramref name="groupSize"/> whose valid scores are all equal: they carry no GRPO signal.</summary>
    public double ZeroVarianceGroupShare(int groupSize)
    {
        int groups = _rows / groupSize, flat = 0;
        Span<float> group = groupSize <= 256 ? stackalloc float[groupSize] : new float[groupSize];
        for (int g = 0; g < groups; g++)
        {
            CopyScores(g * groupSize, group);
            if (Rollout.RolloutAccumulator.IsZeroVariance(group)) flat++;
        }

        return groups == 0 ? double.NaN : (double)flat / groups;
    }

    /// <summary>The scores as a [rows] float32 tensor on <paramref name="device"/> (masked samples hold 0).</summary>
    public Tensor Scores(Device device) => Upload(_scores, ref _scoresTensor, device);

    /// <summary>1 for valid samples, 0 for masked ones, [rows] float32.</summary>
    public Tensor ValidMask(Device device) => Upload(_valid, ref _validTensor, device);

    private Tensor Upload(float[] values, ref Tensor? buffer, Device device)
    {
        if (buffer is null || buffer.shape[0] != _rows || buffer.device != device)
        {
            buffer?.Dispose();
            using var outside = NewDisposeScope();
            buffer = zeros([_rows], ScalarType.Float32, device).DetachFromDisposeScope();
        }

        if (device.type == DeviceType.CPU)
        {
            using var accessor = buffer.data<float>();
            accessor.CopyFrom(values.AsSpan(0, _rows), 0, 0);
        }
        else
        {
            // Through a CPU staging tensor allocated once: one host-to-device copy.
            _staging ??= zeros([_scores.Length], ScalarType.Float32, CPU).DetachFromDisposeScope();
            using (var accessor = _staging.data<float>()) accessor.CopyFrom(values.AsSpan(0, _rows), 0, 0);
            using var scope = NewDisposeScope();
            buffer.copy_(_staging.narrow(0, 0, _rows));
        }

        // A fresh alias so the caller's dispose scope can own it without freeing the buffer.
        return buffer.alias();
    }

    public void Dispose()
    {
        _scoresTensor?.Dispose();
        _validTensor?.Dispose();
        _staging?.Dispose();
    }
}
