using static TorchSharp.torch;

namespace Rft.Rollout;

/// <summary>
/// Collects whole groups of rows from several rollouts into one batch, for DAPO's dynamic sampling
/// (Yu et al. 2025, arXiv:2503.14476): groups whose rewards are all equal carry no signal and are left
/// out, and more prompts are rolled out until the batch is full. Rollouts differ in prompt and
/// completion lengths; the accumulated batch is laid out as the sampler's is (prompts left-padded to the
/// longest, completions right-padded), so <see cref="Batch"/> goes wherever a sampler's batch goes
/// (<c>TokenLogProbs.Compute</c>, <c>CompletionTexts.Decode</c>, ...). Every buffer is allocated once.
/// </summary>
/// <remarks>
/// The step loop: <see cref="Clear"/>; then, until <see cref="Groups"/> reaches the groups wanted or
/// the budget of extra rollouts is spent: draw prompts, roll out, score,
/// <see cref="FindInformativeGroups"/>, <see cref="AddGroups"/> (as many as still fit). Copy each kept
/// row's scores and record at the row <see cref="AddGroups"/> returns.
/// </remarks>
public sealed class RolloutAccumulator : IDisposable
{
    private readonly long _padId;
    private readonly int _width;                   // MaxPromptTokens + MaxNewTokens
    private readonly RolloutBatch _batch;

    // Rows as stored: prompt right-aligned at column MaxPromptTokens, completion from there on.
    private readonly Tensor _sequences;            // [MaxRows, width] long
    private readonly Tensor _attention;            // [MaxRows, width] bool
    private readonly Tensor _positions;            // [MaxRows, width] long
    private readonly Tensor _completionMask;       // [MaxRows, MaxNewTokens] float32
    private readonly Tensor _logProbs;             // [MaxRows, MaxNewTokens] float32

    // Flat outputs, so that the published [Rows, P + T] and [Rows, T] views are contiguous.
    private readonly Tensor _outSequences;
    private readonly Tensor _outAttention;
    private readonly Tensor _outPositions;
    private readonly Tensor _outCompletionMask;
    private readonly Tensor _outLogProbs;

    /// <param name="maxRows">Rows the batch can hold (groups wanted x group size).</param>
    /// <param name="maxPromptTokens">The sampler's prompt capacity.</param>
    /// <param name="maxNewTokens">The sampler's completion capacity.</param>
    /// <param name="padId">The tokenizer's pad id, written into padding.</param>
    /// <param name="device">Where the rollouts' tensors live (CPU when null).</param>
    public RolloutAccumulator(int maxRows, int maxPromptTokens, int maxNewTokens, int padId, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPromptTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNewTokens, 1);
        device ??= CPU;
        MaxRows = maxRows;
        MaxPromptTokens = maxPromptTokens;
        MaxNewTokens = maxNewTokens;
        _padId = padId;
        _width = maxPromptTokens + maxNewTokens;
        _batch = new RolloutBatch(maxRows, maxNewTokens);

        using var scope = NewDisposeScope();
        _sequences = Buffer([maxRows, _width], ScalarType.Int64, device);
        _attention = Buffer([maxRows, _width], ScalarType.Bool, device);
        _positions = Buffer([maxRows, _width], ScalarType.Int64, device);
        _completionMask = Buffer([maxRows, maxNewTokens], ScalarType.Float32, device);
        _logProbs = Buffer([maxRows, maxNewTokens], ScalarType.Float32, device);
        _outSequences = Buffer([maxRows * _width], ScalarType.Int64, device);
        _outAttention = Buffer([maxRows * _width], ScalarType.Bool, device);
        _outPositions = Buffer([maxRows * _width], ScalarType.Int64, device);
        _outCompletionMask = Buffer([maxRows * maxNewTokens], ScalarType.Float32, device);
        _outLogProbs = Buffer([maxRows * maxNewTokens], ScalarType.Float32, device);
        Clear();
    }

    public int MaxRows { get; }
    public int MaxPromptTokens { get; }
    public int MaxNewTokens { get; }

    /// <summary>Rows accumulated since <see cref="Clear"/>.</summary>
    public int Rows { get; private set; }

    /// <summary>Groups accumulated since <see cref="Clear"/>.</summary>
    public int Groups { get; private set; }

    /// <summary>Rows per group, fixed by the first <see cref="AddGroups"/> after <see cref="Clear"/> (0 before).</summary>
    public int GroupSize { get; private set; }

    /// <summary>
    /// The accumulated rows as a rollout batch (group g at rows [g * G, (g + 1) * G)); its views stay
    /// valid until the next <see cref="AddGroups"/> or <see cref="Clear"/>.
    /// </summary>
    public RolloutBatch Batch => _batch;

    /// <summary>Empties the batch (one fill of each buffer with padding).</summary>
    public void Clear()
    {
        using var scope = NewDisposeScope();
        _sequences.fill_(_padId);
        _attention.fill_(false);
        _positions.fill_(0);
        _completionMask.fill_(0);
        _logProbs.fill_(0);
        Rows = Groups = GroupSize = 0;
        Publish(0, 0);
    }

    /// <summary>
    /// Copies the rows of <paramref name="groups"/> (group g = rows [g * groupSize, (g + 1) * groupSize)
    /// of <paramref name="source"/>) after the rows accumulated so far: tokens, masks, positions,
    /// behaviour log-probs and the host copies of completion tokens and stop flags.
    /// </summary>
    /// <returns>The first row the copied groups occupy.</returns>
    /// <exception cref="ArgumentException">A group outside the source, a group size that differs from the rows already held, more rows than <see cref="MaxRows"/>, or lengths beyond the capacities.</exception>
    public int AddGroups(RolloutBatch source, ReadOnlySpan<int> groups, int groupSize)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 1);
        if (GroupSize != 0 && groupSize != GroupSize)
            throw new ArgumentException($"Groups of {groupSize} rows cannot join the {GroupSize}-row groups already accumulated.", nameof(groupSize));
        if (Rows + groups.Length * groupSize > MaxRows)
            throw new ArgumentException($"{groups.Length} groups of {groupSize} rows do not fit: {Rows} of {MaxRows} rows are taken.", nameof(groups));
        int p = source.PromptLength, t = source.CompletionLength;
        if (p > MaxPromptTokens || t > MaxNewTokens)
            throw new ArgumentException($"The rollout's lengths (prompt {p}, completion {t}) exceed the accumulator's ({MaxPromptTokens}, {MaxNewTokens}).", nameof(source));
        foreach (int g in groups)
        {
            if (g < 0 || (g + 1) * groupSize > source.Rows)
                throw new ArgumentException($"Group {g} of {groupSize} rows is outside the rollout's {source.Rows} rows.", nameof(groups));
        }

        int first = Rows;
        using (var scope = NewDisposeScope())
        {
            int start = MaxPromptTokens - p;
            foreach (int g in groups)
            {
                int from = g * groupSize;
                _sequences.narrow(0, Rows, groupSize).narrow(1, start, p + t).copy_(source.Sequences.narrow(0, from, groupSize));
                _attention.narrow(0, Rows, groupSize).narrow(1, start, p + t).copy_(source.AttentionMask.narrow(0, from, groupSize));
                _positions.narrow(0, Rows, groupSize).narrow(1, start, p + t).copy_(source.PositionIds.narrow(0, from, groupSize));
                if (t > 0)
                {
                    _completionMask.narrow(0, Rows, groupSize).narrow(1, 0, t).copy_(source.CompletionMask.narrow(0, from, groupSize));
                    _logProbs.narrow(0, Rows, groupSize).narrow(1, 0, t).copy_(source.LogProbs.narrow(0, from, groupSize));
                }

                for (int r = 0; r < groupSize; r++) CopyHostRow(source, from + r, Rows + r);
                Rows += groupSize;
                Groups++;
            }

            GroupSize = groupSize;
            Publish(Math.Max(_batch.PromptLength, p), Math.Max(_batch.CompletionLength, t));
        }

        return first;
    }

    /// <summary>
    /// Writes into <paramref name="informative"/> the index of every group of <paramref name="scores"/>
    /// whose finite scores are not all equal, and returns how many there are. A group whose scores are
    /// all equal (or with fewer than two finite scores) has zero variance: no advantage, no gradient.
    /// Give NaN for a masked sample so that it is left out.
    /// </summary>
    /// <exception cref="ArgumentException">The scores are not whole groups, or <paramref name="informative"/> is shorter than the number of groups.</exception>
    public static int FindInformativeGroups(ReadOnlySpan<float> scores, int groupSize, Span<int> informative)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 1);
        if (scores.Length % groupSize != 0)
            throw new ArgumentException($"{scores.Length} scores are not whole groups of {groupSize}.", nameof(scores));
        int groups = scores.Length / groupSize;
        if (informative.Length < groups)
            throw new ArgumentException($"The span holds {informative.Length} indices; {groups} groups may be informative.", nameof(informative));
        int count = 0;
        for (int g = 0; g < groups; g++)
        {
            if (!IsZeroVariance(scores.Slice(g * groupSize, groupSize))) informative[count++] = g;
        }

        return count;
    }

    /// <summary>True when the finite scores of a group are all equal (or fewer than two are finite).</summary>
    public static bool IsZeroVariance(ReadOnlySpan<float> group)
    {
        float first = float.NaN;
        foreach (float score in group)
        {
            if (!float.IsFinite(score)) continue;
            if (float.IsNaN(first)) first = score;
            else if (score != first) return false;
        }

        return true;
    }

    private void CopyHostRow(RolloutBatch source, int from, int to)
    {
        int count = source.HostCounts[from];
        source.HostTokens.Slice(from * source.HostStride, count).CopyTo(_batch.HostTokens.Slice(to * _batch.HostStride, count));
        _batch.HostCounts[to] = count;
        _batch.HostFinished[to] = source.HostFinished[from];
        _batch.HostPromptLengths[to] = source.HostPromptLengths[from];
    }

    // Copies the stored rows' [P + T] window into the contiguous outputs and points the batch at them.
    private void Publish(int p, int t)
    {
        int rows = Rows, length = p + t, start = MaxPromptTokens - p;
        var sequences = View(_outSequences, rows, length);
        var attention = View(_outAttention, rows, length);
        var positions = View(_outPositions, rows, length);
        var completionMask = View(_outCompletionMask, rows, t);
        var logProbs = View(_outLogProbs, rows, t);
        if (rows > 0)
        {
            sequences.copy_(_sequences.narrow(0, 0, rows).narrow(1, start, length));
            attention.copy_(_attention.narrow(0, 0, rows).narrow(1, start, length));
            positions.copy_(_positions.narrow(0, 0, rows).narrow(1, start, length));
            completionMask.copy_(_completionMask.narrow(0, 0, rows).narrow(1, 0, t));
            logProbs.copy_(_logProbs.narrow(0, 0, rows).narrow(1, 0, t));
        }

        _batch.Set(rows, Math.Max(GroupSize, 1), p, t, sequences, attention, positions, completionMask, logProbs);
    }

    private static Tensor View(Tensor flat, int rows, int columns) => flat.narrow(0, 0, (long)rows * columns).view(rows, columns);

    private static Tensor Buffer(long[] shape, ScalarType dtype, Device device) => zeros(shape, dtype, device).DetachFromDisposeScope();

    public void Dispose()
    {
        _batch.ReleaseViews();
        foreach (var tensor in new[]
                 {
                     _sequences, _attention, _positions, _completionMask, _logProbs,
                     _outSequences, _outAttention, _outPositions, _outCompletionMask, _outLogProbs,
                 })
        {
            tensor.Dispose();
        }
    }
}
