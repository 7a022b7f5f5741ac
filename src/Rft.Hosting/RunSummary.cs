using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Rft.Training;

namespace Rft.Hosting;

/// <summary>What a run did, written to <c>summary.json</c> when it ends, however it ends.</summary>
internal sealed class RunSummary(string pipeline, int seed, string runDirectory)
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly List<EvaluationResult> _evaluations = [];

    public string RunDirectory { get; } = runDirectory;

    public bool Completed { get; set; }

    public bool Interrupted { get; set; }

    public int SftSteps { get; set; }

    public int RlSteps { get; set; }

    /// <summary>The checkpoint that was saved (<c>checkpoint</c>, or <c>checkpoint-failed</c> after a failure), if any.</summary>
    public string? Checkpoint { get; set; }

    /// <summary>The checkpoint a resumed run continued from, if it was resumed.</summary>
    public string? ResumedFrom { get; set; }

    /// <summary>What the run was doing when it failed ("rl after step 12"), if it did.</summary>
    public string? FailedDuring { get; set; }

    public string? Error { get; set; }

    public void Add(EvaluationResult evaluation) => _evaluations.Add(evaluation);

    private readonly List<KeyValuePair<string, double>> _facts = [];

    /// <summary>Records the peak resident memory of the phase that just ended as <c>&lt;phase&gt;_peak_resident_bytes</c>.</summary>
    public void RecordPeak(string phase)
    {
        if (ProcessMemory.PeakResidentBytes() is { } peak) _facts.Add(new(phase + "_peak_resident_bytes", peak));
    }

    /// <summary>The trainer's own facts (<see cref="IPipelineTrainer.RunFacts"/>), written as they are.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> TrainerFacts { get; set; } = [];

    /// <summary>Writes <c>summary.json</c>, replacing any earlier one (a resumed run's) atomically.</summary>
    /// <param name="wallSeconds">This process's wall time: a resumed run counts from its resumption.</param>
    /// <param name="rlTimings">This process's RL steps' timings, written as their medians (<c>rl_medians</c>); null when there were none.</param>
    public void Write(double wallSeconds, ReadOnlySpan<byte> finalStepMetrics, StepTimingMedians? rlTimings = null)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("pipeline", pipeline);
            json.WriteNumber("seed", seed);
            json.WriteString("run_directory", RunDirectory);
            json.WriteBoolean("completed", Completed);
            json.WriteBoolean("interrupted", Interrupted);
            json.WriteNumber("sft_steps", SftSteps);
            json.WriteNumber("rl_steps", RlSteps);
            foreach (var evaluation in _evaluations)
            {
                json.WriteNumber(evaluation.Name + "_accuracy", evaluation.Accuracy);
                json.WriteNumber(evaluation.Name + "_correct", evaluation.Correct);
                json.WriteNumber(evaluation.Name + "_problems", evaluation.Problems);
            }

            foreach (var (name, value) in _facts.Concat(TrainerFacts))
            {
                if (double.IsFinite(value)) json.WriteNumber(name, value);
            }

            json.WriteNumber("wall_seconds", Math.Round(wallSeconds, 3));
            rlTimings?.Write(json);
            WriteStringOrNull(json, "checkpoint", Checkpoint);
            if (ResumedFrom is not null) json.WriteString("resumed_from", ResumedFrom);
            if (Error is not null)
            {
                WriteStringOrNull(json, "failed_during", FailedDuring);
                json.WriteString("error", Error);
            }

            json.WritePropertyName("final_step_metrics");
            if (finalStepMetrics.IsEmpty)
            {
                json.WriteNullValue();
            }
            else
            {
                json.WriteRawValue(finalStepMetrics);
            }

            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        DurableFiles.WriteAllBytes(Path.Combine(RunDirectory, "summary.json"), buffer.WrittenSpan);
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
