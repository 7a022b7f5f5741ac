namespace Rft.Training;

/// <summary>
/// Accumulates a held-out evaluation for the <c>eval</c> verb: a generated trainer decodes the completions and scores
/// them with its rewards, and hands each completion's reward values here; the tally keeps the means, the lengths and,
/// per problem, how many sampled completions were correct (for pass@k).
/// </summary>
public sealed class HeldOutTally
{
    private readonly IReadOnlyList<string> _rewardNames;
    private readonly HeldOutEvaluationSettings _settings;
    private readonly Totals _greedy;
    private readonly Totals _sampled;
    private readonly int[] _samplesDrawn;
    private readonly int[] _samplesCorrect;
    private readonly List<EvaluationSample> _examples = [];

    public HeldOutTally(IReadOnlyList<string> rewardNames, int problems, HeldOutEvaluationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(rewardNames);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(problems);
        settings.Validate();
        _rewardNames = rewardNames;
        _settings = settings;
        _greedy = new Totals(rewardNames.Count);
        _sampled = new Totals(rewardNames.Count);
        _samplesDrawn = new int[problems];
        _samplesCorrect = new int[problems];
    }

    /// <summary>Problems in the held-out set.</summary>
    public int Problems => _samplesDrawn.Length;

    /// <summary>Share of greedy completions correct so far.</summary>
    public double GreedyAccuracy => _greedy.Accuracy;

    /// <summary>Share of sampled completions correct so far.</summary>
    public double SampledAccuracy => _sampled.Accuracy;

    /// <summary>The greedy completion of one problem.</summary>
    public void AddGreedy(ReadOnlySpan<float> rewards, bool correct, int completionTokens) =>
        _greedy.Add(rewards, correct, completionTokens);

    /// <summary>One sampled completion of problem <paramref name="problem"/> (0-based index into the held-out set).</summary>
    public void AddSample(int problem, ReadOnlySpan<float> rewards, bool correct, int completionTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(problem);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(problem, Problems);
        _sampled.Add(rewards, correct, completionTokens);
        _samplesDrawn[problem]++;
        if (correct) _samplesCorrect[problem]++;
    }

    /// <summary>Keeps <paramref name="example"/> for the report.</summary>
    public void AddExample(EvaluationSample example) => _examples.Add(example);

    /// <summary>The evaluation; every problem must have received exactly <see cref="HeldOutEvaluationSettings.Samples"/> samples.</summary>
    public HeldOutEvaluation Finish(double seconds)
    {
        if (_greedy.Completions != Problems)
            throw new InvalidOperationException($"{_greedy.Completions} greedy completions were scored for {Problems} problems.");
        double passAtK = 0;
        for (int problem = 0; problem < Problems; problem++)
        {
            if (_samplesDrawn[problem] != _settings.Samples)
                throw new InvalidOperationException($"problem {problem} received {_samplesDrawn[problem]} sampled completions, not {_settings.Samples}.");
            passAtK += PassAtK.Estimate(_settings.Samples, _samplesCorrect[problem], _settings.K);
        }

        return new HeldOutEvaluation(
            Problems, _settings, _rewardNames, _greedy.Statistics(), _sampled.Statistics(), passAtK / Problems, _examples.ToArray(), seconds);
    }

    /// <summary>Sums over one kind of completion.</summary>
    private sealed class Totals(int rewards)
    {
        private readonly double[] _sums = new double[rewards];
        private readonly int[] _scored = new int[rewards];
        private readonly int[] _failures = new int[rewards];
        private long _tokens;

        public int Completions { get; private set; }

        public int Correct { get; private set; }

        public double Accuracy => Completions == 0 ? double.NaN : (double)Correct / Completions;

        public void Add(ReadOnlySpan<float> rewards, bool correct, int completionTokens)
        {
            if (rewards.Length != _sums.Length)
                throw new ArgumentException($"{rewards.Length} reward values for {_sums.Length} rewards.", nameof(rewards));
            for (int i = 0; i < rewards.Length; i++)
            {
                if (float.IsNaN(rewards[i]))
                {
                    _failures[i]++;
                    continue;
                }

                _sums[i] += rewards[i];
                _scored[i]++;
            }

            Completions++;
            if (correct) Correct++;
            _tokens += completionTokens;
        }

        public CompletionStatistics Statistics()
        {
            var means = new double[_sums.Length];
            for (int i = 0; i < means.Length; i++) means[i] = _scored[i] == 0 ? double.NaN : _sums[i] / _scored[i];
            return new CompletionStatistics(
                Completions, Correct, means, _failures.ToArray(), Completions == 0 ? double.NaN : (double)_tokens / Completions);
        }
    }
}
