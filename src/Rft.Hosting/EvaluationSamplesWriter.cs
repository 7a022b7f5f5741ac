using System.Text.Encodings.Web;
using System.Text.Json;
using Rft.Training;

namespace Rft.Hosting;

/// <summary>
/// Appends the trainer's <see cref="IPipelineTrainer.EvaluationSamples"/> to <c>samples.jsonl</c> after each
/// evaluation, one line per sample: <c>{"phase":"rl","step":100,"prompt":...,"completion":...,"correct":true,
/// "reward":1.1,"rewards":{"Correct":1,"Stopped":1}}</c>; a final evaluation has <c>"phase":"eval"</c> and its
/// <c>"name"</c>. The file is created with the first sample, so a trainer that keeps none leaves no file.
/// </summary>
internal sealed class EvaluationSamplesWriter(string path) : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private FileStream? _file;

    public string Path { get; } = path;

    /// <summary>The samples of a validation or held-out check during a phase ("sft", "rl") at <paramref name="step"/>.</summary>
    public void Write(TrainingPhase phase, int step, IReadOnlyList<EvaluationSample> samples) =>
        Write(phase == TrainingPhase.Sft ? "sft" : "rl", name: null, step, samples);

    /// <summary>The samples of the final evaluation <paramref name="name"/>, after <paramref name="step"/> steps of its phase.</summary>
    public void WriteEvaluation(string name, int step, IReadOnlyList<EvaluationSample> samples) => Write("eval", name, step, samples);

    public void Dispose() => _file?.Dispose();

    private void Write(string phase, string? name, int step, IReadOnlyList<EvaluationSample> samples)
    {
        if (samples.Count == 0) return;
        _file ??= new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        foreach (var sample in samples)
        {
            using (var json = new Utf8JsonWriter(_file, WriterOptions))
            {
                json.WriteStartObject();
                json.WriteString("phase", phase);
                if (name is not null) json.WriteString("name", name);
                json.WriteNumber("step", step);
                EvaluationSampleJson.WriteFields(json, sample);
                json.WriteEndObject();
            }

            _file.WriteByte((byte)'\n');
        }

        _file.Flush();
    }
}
