namespace Rft.Data;

/// <summary>
/// Per-source metrics of one step: for each source of a mixture, the share of the step's prompts drawn
/// from it (<c>source/{name}/share</c>), the mean total reward of its completions
/// (<c>source/{name}/reward</c>) and the share of them counted correct (<c>source/{name}/accuracy</c>).
/// Filled by the trainer prompt by prompt and completion by completion; nothing allocates after construction.
/// </summary>
public sealed class SourceMetrics
{
    private readonly string[] _names;
    private readonly int[] _prompts;
    private readonly int[] _completions;
    private readonly int[] _correct;
    private readonly double[] _rewardSums;
    private int _totalPrompts;

    /// <param name="sourceNames">The mixture's source names, in source-index order.</param>
    public SourceMetrics(IReadOnlyList<string> sourceNames)
    {
        ArgumentNullException.ThrowIfNull(sourceNames);
        if (sourceNames.Count == 0) throw new ArgumentException("Per-source metrics need at least one source.", nameof(sourceNames));
        int count = sourceNames.Count;
        _names = new string[3 * count];
        for (int s = 0; s < count; s++)
        {
            _names[3 * s] = $"source/{sourceNames[s]}/share";
            _names[3 * s + 1] = $"source/{sourceNames[s]}/reward";
            _names[3 * s + 2] = $"source/{sourceNames[s]}/accuracy";
        }

        _prompts = new int[count];
        _completions = new int[count];
        _correct = new int[count];
        _rewardSums = new double[count];
    }

    /// <summary>Metrics for the sources of <paramref name="mixture"/>.</summary>
    public static SourceMetrics For<T>(Mixture<T> mixture)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        var names = new string[mixture.Sources.Count];
        for (int s = 0; s < names.Length; s++) names[s] = mixture.Sources[s].Name;
        return new SourceMetrics(names);
    }

    /// <summary>Sources tracked.</summary>
    public int SourceCount => _prompts.Length;

    /// <summary>Three names per source, in source order: share, reward, accuracy.</summary>
    public IReadOnlyList<string> MetricNames => _names;

    /// <summary>Starts a new step.</summary>
    public void Clear()
    {
        Array.Clear(_prompts);
        Array.Clear(_completions);
        Array.Clear(_correct);
        Array.Clear(_rewardSums);
        _totalPrompts = 0;
    }

    /// <summary>Counts one prompt of the step as drawn from <paramref name="source"/>.</summary>
    public void AddPrompt(int source)
    {
        CheckSource(source);
        _prompts[source]++;
        _totalPrompts++;
    }

    /// <summary>Adds one completion of a prompt from <paramref name="source"/>; a NaN or infinite reward (a masked sample) is left out.</summary>
    public void AddCompletion(int source, double reward, bool correct)
    {
        CheckSource(source);
        if (!double.IsFinite(reward)) return;
        _completions[source]++;
        _rewardSums[source] += reward;
        if (correct) _correct[source]++;
    }

    /// <summary>Writes the step's values aligned with <see cref="MetricNames"/>; NaN for a source with no prompts or no scored completions.</summary>
    public void WriteMetrics(Span<double> values)
    {
        if (values.Length < _names.Length)
            throw new ArgumentException($"WriteMetrics needs {_names.Length} values (one per MetricNames entry); the span has {values.Length}.", nameof(values));
        for (int s = 0; s < _prompts.Length; s++)
        {
            values[3 * s] = _totalPrompts == 0 ? double.NaN : (double)_prompts[s] / _totalPrompts;
            values[3 * s + 1] = _completions[s] == 0 ? double.NaN : _rewardSums[s] / _completions[s];
            values[3 * s + 2] = _completions[s] == 0 ? double.NaN : (double)_correct[s] / _completions[s];
        }
    }

    private void CheckSource(int source)
    {
        if ((uint)source >= (uint)_prompts.Length)
            throw new ArgumentOutOfRangeException(nameof(source), source, $"Sources are 0..{_prompts.Length - 1}.");
    }
}
