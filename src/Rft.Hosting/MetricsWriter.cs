using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Rft.Training;

namespace Rft.Hosting;

/// <summary>
/// Appends one JSON object per step and per evaluation to <c>metrics.jsonl</c>, flushed line by line so the
/// file can be followed while the run goes on. The writer, its buffer and every key are created once:
/// a step line allocates nothing.
/// </summary>
internal sealed class MetricsWriter : IDisposable
{
    private static readonly JsonEncodedText Phase = Key("phase");
    private static readonly JsonEncodedText Step = Key("step");
    private static readonly JsonEncodedText TotalSteps = Key("total_steps");
    private static readonly JsonEncodedText Accuracy = Key("accuracy");
    private static readonly JsonEncodedText Seconds = Key("seconds");
    private static readonly JsonEncodedText Name = Key("name");
    private static readonly JsonEncodedText Correct = Key("correct");
    private static readonly JsonEncodedText Problems = Key("problems");
    private static readonly JsonEncodedText Sft = Key("sft");
    private static readonly JsonEncodedText Rl = Key("rl");
    private static readonly JsonEncodedText Eval = Key("eval");
    private static readonly JsonEncodedText[] HeadKeys = StepScalars.Head.Select(s => Key(s.Name)).ToArray();
    private static readonly JsonEncodedText[] MiddleKeys = StepScalars.Middle.Select(s => Key(s.Name)).ToArray();
    private static readonly JsonEncodedText[] TailKeys = StepScalars.Tail.Select(s => Key(s.Name)).ToArray();

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly FileStream _file;
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly Utf8JsonWriter _json;

    // Reward keys ("reward/Correct") are encoded once per reward-name list, i.e. once per phase.
    private IReadOnlyList<string>? _rewardNames;
    private JsonEncodedText[] _rewardKeys = [];
    private IReadOnlyList<string>? _extraNames;
    private JsonEncodedText[] _extraKeys = [];

    // The last step's line, kept for summary.json's "final_step_metrics".
    private byte[] _lastStep = new byte[1024];
    private int _lastStepLength;

    public MetricsWriter(string path)
        : this(new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 4096))
    {
    }

    private MetricsWriter(FileStream file)
    {
        _file = file;
        _json = new Utf8JsonWriter(_line, WriterOptions);
    }

    /// <summary>The RL steps' timings and throughputs so far, for summary.json's medians.</summary>
    public StepTimingMedians RlTimings { get; } = new();

    /// <summary>
    /// Continues the <c>metrics.jsonl</c> of a resumed run: keeps its lines up to the step line of
    /// <paramref name="checkpoint"/> (and the "sft" evaluation when the checkpoint is in RL), drops those the process
    /// that died wrote after it (replacing the file atomically), then appends. A line that is not whole JSON (cut
    /// short by the kill) ends what is kept.
    /// </summary>
    public static MetricsWriter Continue(string path, CheckpointPosition checkpoint, out KeptMetrics kept)
    {
        var lines = new List<string>();
        var evaluations = new List<EvaluationResult>();
        string? lastStepLine = null;
        CheckpointPosition? lastStep = null;
        int total = 0;
        if (File.Exists(path))
        {
            bool keeping = true;
            foreach (string line in File.ReadLines(path))
            {
                total++;
                if (!keeping) continue;
                switch (Classify(line, checkpoint, out var position, out var evaluation))
                {
                    case LineKind.Step:
                        lines.Add(line);
                        (lastStepLine, lastStep) = (line, position);
                        break;
                    case LineKind.Evaluation:
                        lines.Add(line);
                        evaluations.Add(evaluation!);
                        break;
                    default:
                        keeping = false;
                        break;
                }
            }
        }

        DurableFiles.Write(path, stream =>
        {
            foreach (string line in lines)
            {
                stream.Write(Encoding.UTF8.GetBytes(line));
                stream.WriteByte((byte)'\n');
            }
        });

        var writer = new MetricsWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 4096));
        byte[] last = lastStepLine is null ? [] : Encoding.UTF8.GetBytes(lastStepLine);
        if (last.Length > 0)
        {
            writer._lastStep = last;
            writer._lastStepLength = last.Length;
        }

        kept = new KeptMetrics(evaluations, last, lastStep, lines.Count, total - lines.Count);
        return writer;
    }

    /// <summary>Flushes the lines written so far to the disk, so that no checkpoint written next is ahead of them.</summary>
    public void FlushToDisk() => _file.Flush(flushToDisk: true);

    /// <summary>The JSON object of the last step written, or empty when no step was.</summary>
    public ReadOnlySpan<byte> LastStep => _lastStep.AsSpan(0, _lastStepLength);

    public void WriteStep(StepReport report)
    {
        Begin();
        WriteStepObject(report);
        RlTimings.Add(report);
        _json.Flush();

        var written = _line.WrittenSpan;
        if (_lastStep.Length < written.Length)
        {
            _lastStep = new byte[written.Length * 2];
        }

        written.CopyTo(_lastStep);
        _lastStepLength = written.Length;
        EndLine();
    }

    public void WriteEvaluation(EvaluationResult result)
    {
        Begin();
        _json.WriteStartObject();
        _json.WriteString(Phase, Eval);
        _json.WriteString(Name, result.Name);
        WriteFinite(Accuracy, result.Accuracy);
        _json.WriteNumber(Correct, result.Correct);
        _json.WriteNumber(Problems, result.Problems);
        WriteFinite(Seconds, result.Seconds);
        _json.WriteEndObject();
        _json.Flush();
        EndLine();
    }

    public void Dispose()
    {
        _json.Dispose();
        _file.Dispose();
    }

    private void WriteStepObject(StepReport report)
    {
        _json.WriteStartObject();
        _json.WriteString(Phase, report.Phase == TrainingPhase.Sft ? Sft : Rl);
        _json.WriteNumber(Step, report.Step);
        _json.WriteNumber(TotalSteps, report.TotalSteps);
        Write(HeadKeys, StepScalars.Head, report);
        var rewardKeys = RewardKeys(report.RewardNames);
        for (var i = 0; i < rewardKeys.Length; i++)
        {
            WriteFinite(rewardKeys[i], report.RewardMeans[i]);
        }

        Write(MiddleKeys, StepScalars.Middle, report);
        var extraKeys = ExtraKeys(report.ExtraNames);
        for (var i = 0; i < extraKeys.Length; i++)
        {
            WriteFinite(extraKeys[i], report.Extra[i]);
        }

        Write(TailKeys, StepScalars.Tail, report);
        _json.WriteEndObject();
    }

    private void Write(JsonEncodedText[] keys, IReadOnlyList<StepScalar> scalars, StepReport report)
    {
        for (var i = 0; i < keys.Length; i++) WriteFinite(keys[i], scalars[i].Value(report));
    }

    private JsonEncodedText[] RewardKeys(IReadOnlyList<string> names)
    {
        if (!ReferenceEquals(names, _rewardNames))
        {
            _rewardKeys = names.Select(name => Key("reward/" + name)).ToArray();
            _rewardNames = names;
        }

        return _rewardKeys;
    }

    private JsonEncodedText[] ExtraKeys(IReadOnlyList<string> names)
    {
        if (!ReferenceEquals(names, _extraNames))
        {
            _extraKeys = names.Select(Key).ToArray();
            _extraNames = names;
        }

        return _extraKeys;
    }

    // JSON has no NaN or infinity: a quantity that was not measured is left out.
    private void WriteFinite(JsonEncodedText key, double value)
    {
        if (double.IsFinite(value))
        {
            _json.WriteNumber(key, value);
        }
    }

    private void Begin()
    {
        _line.ResetWrittenCount();
        _json.Reset(_line);
    }

    private void EndLine()
    {
        _file.Write(_line.WrittenSpan);
        _file.WriteByte((byte)'\n');
        _file.Flush();
    }

    private enum LineKind
    {
        Step,
        Evaluation,
        AfterCheckpoint,
    }

    // A step line at or before the checkpoint, the warm-up's evaluation when the checkpoint is in RL, or the end of what is kept.
    private static LineKind Classify(string line, CheckpointPosition checkpoint, out CheckpointPosition position, out EvaluationResult? evaluation)
    {
        position = default;
        evaluation = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return LineKind.AfterCheckpoint;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("phase", out var phaseElement) || phaseElement.ValueKind != JsonValueKind.String)
                return LineKind.AfterCheckpoint;
            string? phase = phaseElement.GetString();
            if (phase == "eval")
            {
                if (checkpoint.Phase != TrainingPhase.Rl || !root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString() != "sft")
                    return LineKind.AfterCheckpoint;
                evaluation = new EvaluationResult(
                    "sft", Int(root, "problems"), Int(root, "correct"), root.TryGetProperty("seconds", out var seconds) && seconds.ValueKind == JsonValueKind.Number ? seconds.GetDouble() : 0);
                return LineKind.Evaluation;
            }

            if (!CheckpointPosition.TryParsePhase(phase, out var stepPhase) || !root.TryGetProperty("step", out var step)
                || step.ValueKind != JsonValueKind.Number || !step.TryGetInt32(out int number))
                return LineKind.AfterCheckpoint;
            position = new CheckpointPosition(stepPhase, number);
            return position <= checkpoint ? LineKind.Step : LineKind.AfterCheckpoint;
        }

        static int Int(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number) ? number : 0;
    }

    private static JsonEncodedText Key(string name) => JsonEncodedText.Encode(name, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
}
