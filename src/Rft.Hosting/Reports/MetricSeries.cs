namespace Rft.Hosting.Reports;

/// <summary>One metric of one phase over its steps, in file order.</summary>
internal sealed class MetricSeries(string name)
{
    private readonly List<(double Step, double Value)> _points = [];

    /// <summary>The metrics.jsonl key (<c>reward/Correct</c>, <c>source/Sums/share</c>).</summary>
    public string Name { get; } = name;

    public IReadOnlyList<(double Step, double Value)> Points => _points;

    public void Add(double step, double value) => _points.Add((step, value));
}
