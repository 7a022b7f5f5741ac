using System.Text.Json;
using Rft.Training;

namespace Rft.Hosting;

/// <summary>
/// Keeps every RL step's wall time, phase timings and throughputs (those measured) so that <c>summary.json</c> can report
/// their medians under the names of <c>metrics.jsonl</c> (<see cref="StepScalars.Tail"/>). Storage for the run's step budget (up to 65,536 steps) is taken
/// at the first step, so recording a step does not allocate.
/// </summary>
internal sealed class StepTimingMedians
{
    private const int MaxReserved = 1 << 16;

    private readonly List<double>[] _series = new List<double>[StepScalars.Tail.Count];

    public StepTimingMedians()
    {
        for (int i = 0; i < _series.Length; i++) _series[i] = [];
    }

    /// <summary>Records an RL step's values; other phases are ignored.</summary>
    public void Add(StepReport report)
    {
        if (report.Phase != TrainingPhase.Rl) return;
        for (int i = 0; i < _series.Length; i++)
        {
            double value = StepScalars.Tail[i].Value(report);
            if (!double.IsFinite(value)) continue;
            var series = _series[i];
            if (series.Capacity == 0) series.Capacity = Math.Clamp(report.TotalSteps, 1, MaxReserved);
            series.Add(value);
        }
    }

    /// <summary>Writes <c>"rl_medians": {name: median, ...}</c> for every value some step measured; nothing when none did.</summary>
    public void Write(Utf8JsonWriter json)
    {
        if (_series.All(s => s.Count == 0)) return;
        json.WriteStartObject("rl_medians");
        for (int i = 0; i < _series.Length; i++)
        {
            if (_series[i].Count > 0) json.WriteNumber(StepScalars.Tail[i].Name, Median(_series[i]));
        }

        json.WriteEndObject();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
