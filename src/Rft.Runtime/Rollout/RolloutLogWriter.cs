using System.Text.Encodings.Web;
using System.Text.Json;
using Rft.Text;
using Rft.Training;
using static TorchSharp.torch;

namespace Rft.Rollout;

/// <summary>
/// Writes every step's rollouts as JSON Lines (<c>--Rft:DumpRollouts=true</c>), one line per completion: the step and
/// policy version, its group (the prompt's index in the step), the prompt and completion as token ids and text, the
/// stop flag, the completion mask, the behaviour log-probs, the reward total with each reward's value, validity and
/// correctness, and the advantages. <see cref="LoggedRollouts"/> reads the file back, so a logged run can be replayed
/// offline.
/// </summary>
/// <remarks>Fields are snake_case; per-token arrays cover the completion's tokens, the stop token included.</remarks>
public sealed class RolloutLogWriter : IDisposable
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly FileStream _file;
    private readonly Utf8JsonWriter _json;
    private readonly ITokenizer _tokenizer;
    private readonly IReadOnlyList<string> _rewardNames;
    private char[] _text = new char[256];
    private float[] _perToken = [];
    private long[] _sequences = [];
    private bool[] _attention = [];
    private int _rows;                              // rows of the step being written: the planes' stride
    private bool _started;                          // the file was emptied, or continued, before the first write

    /// <param name="path">
    /// The file. An existing one is replaced when the first step is written, unless <see cref="ContinueAfter"/> says the
    /// run continues it: opening it changes nothing, so a trainer can open it before it knows whether it resumes.
    /// </param>
    /// <param name="rewardNames">The pipeline's rewards, in the order of the per-reward values given to <see cref="Write"/>.</param>
    public RolloutLogWriter(string path, ITokenizer tokenizer, IReadOnlyList<string> rewardNames)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(rewardNames);
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _file = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        _json = new Utf8JsonWriter(_file, Options);
        _tokenizer = tokenizer;
        _rewardNames = rewardNames;
    }

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <summary>Lines written (by this writer, or kept by <see cref="ContinueAfter"/>).</summary>
    public long Lines { get; private set; }

    /// <summary>
    /// Continues the file of a resumed run: keeps the lines of steps up to <paramref name="step"/> (the checkpoint's RL
    /// step), drops those the process that died wrote after it and a last line cut short, and appends after them.
    /// </summary>
    /// <returns>The lines dropped.</returns>
    public long ContinueAfter(int step)
    {
        if (Lines > 0 || _started) throw new InvalidOperationException("ContinueAfter must come before the first step is written.");
        _file.Position = 0;
        long keep = 0, dropped = 0;
        bool keeping = true;
        var line = new List<byte>(4096);
        int value;
        while ((value = _file.ReadByte()) >= 0)
        {
            if (value != '\n')
            {
                line.Add((byte)value);
                continue;
            }

            if (keeping && StepOf(line) is int lineStep && lineStep <= step)
            {
                keep += line.Count + 1;
                Lines++;
            }
            else
            {
                keeping = false;
                dropped++;
            }

            line.Clear();
        }

        if (line.Count > 0) dropped++;    // a line the kill cut short
        _file.SetLength(keep);
        _file.Position = keep;
        _started = true;
        return dropped;
    }

    // The "step" of one JSON line, or null when the line is not a whole JSON object with one.
    private static int? StepOf(List<byte> line)
    {
        try
        {
            using var document = JsonDocument.Parse(line.ToArray());
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("step", out var step)
                && step.TryGetInt32(out int value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the rows of a step's rollout (one device-to-host copy of each per-token tensor) and flushes.</summary>
    /// <param name="step">The RL step, which is also the version of the policy that sampled the rows.</param>
    /// <param name="rewards">Each reward's raw value per row, in the order of the reward names.</param>
    /// <param name="advantages">[N, T] the advantages the update used.</param>
    public void Write(int step, RolloutBatch rollout, ScoreBuffer scores, IReadOnlyList<float[]> rewards, Tensor advantages)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(rewards);
        int rows = rollout.Rows, p = rollout.PromptLength, t = rollout.CompletionLength, width = p + t;
        if (rewards.Count != _rewardNames.Count) throw new ArgumentException($"{rewards.Count} reward columns for {_rewardNames.Count} reward names.", nameof(rewards));
        if (!_started)
        {
            _file.SetLength(0);   // a new run replaces what a file of that name held
            _started = true;
        }

        // Host copies: tokens and attention of the prompts; mask, behaviour log-probs and advantages of the completions.
        Grow(ref _sequences, rows * width);
        Grow(ref _attention, rows * width);
        Grow(ref _perToken, 3 * rows * t);
        using (var scope = NewDisposeScope())
        {
            using (var accessor = rollout.Sequences.cpu().contiguous().data<long>()) accessor.CopyTo(_sequences.AsSpan(0, rows * width));
            using (var accessor = rollout.AttentionMask.cpu().contiguous().data<bool>()) accessor.CopyTo(_attention.AsSpan(0, rows * width));
            if (t > 0)
            {
                var perToken = stack([rollout.CompletionMask, rollout.LogProbs, advantages.detach().to(ScalarType.Float32)]).cpu().contiguous();
                using var accessor = perToken.data<float>();
                accessor.CopyTo(_perToken.AsSpan(0, 3 * rows * t));
            }
        }

        _rows = rows;
        Span<int> prompt = p <= 1024 ? stackalloc int[p] : new int[p];
        for (int row = 0; row < rows; row++)
        {
            int count = rollout.CompletionTokenCount(row);
            _json.WriteStartObject();
            _json.WriteNumber("step", step);
            _json.WriteNumber("policy_version", step);
            _json.WriteNumber("group", row / Math.Max(rollout.SamplesPerPrompt, 1));
            _json.WriteNumber("row", row);

            int length = 0;
            for (int j = 0; j < p; j++)
            {
                if (_attention[row * width + j]) prompt[length++] = (int)_sequences[row * width + j];
            }

            _json.WriteString("prompt", DecodeText(prompt[..length]));
            WriteInts("prompt_ids", prompt[..length]);
            _json.WriteString("completion", DecodeText(rollout.CompletionTokens(row)));
            _json.WriteStartArray("completion_ids");
            for (int j = 0; j < count; j++) _json.WriteNumberValue(_sequences[row * width + p + j]);
            _json.WriteEndArray();
            _json.WriteBoolean("finished", rollout.Finished(row));
            WriteFloats("completion_mask", 0, row, t, count);
            WriteFloats("behaviour_log_probs", 1, row, t, count);

            float score = scores.Score(row);
            bool valid = !float.IsNaN(score);
            _json.WriteBoolean("valid", valid);
            if (valid) _json.WriteNumber("reward", score);
            else _json.WriteNull("reward");
            _json.WriteBoolean("correct", scores.IsCorrect(row));
            _json.WriteStartObject("rewards");
            for (int r = 0; r < _rewardNames.Count; r++)
            {
                float value = rewards[r][row];
                if (float.IsFinite(value)) _json.WriteNumber(_rewardNames[r], value);
                else _json.WriteNull(_rewardNames[r]);
            }

            _json.WriteEndObject();
            WriteFloats("advantages", 2, row, t, count);
            _json.WriteEndObject();
            _json.Flush();
            _json.Reset(); // one JSON value per line
            _file.WriteByte((byte)'\n');
            Lines++;
        }

        _file.Flush();
    }

    private void WriteInts(string name, ReadOnlySpan<int> values)
    {
        _json.WriteStartArray(name);
        foreach (int value in values) _json.WriteNumberValue(value);
        _json.WriteEndArray();
    }

    // Plane `plane` (0 mask, 1 behaviour log-probs, 2 advantages) of row `row`, its first `count` positions.
    private void WriteFloats(string name, int plane, int row, int t, int count)
    {
        _json.WriteStartArray(name);
        for (int j = 0; j < count; j++) _json.WriteNumberValue(_perToken[(plane * _rows + row) * t + j]);
        _json.WriteEndArray();
    }

    private string DecodeText(ReadOnlySpan<int> ids)
    {
        int needed = ids.Length * _tokenizer.MaxCharsPerToken;
        if (_text.Length < needed) _text = new char[needed];
        return new string(_text, 0, _tokenizer.Decode(ids, _text));
    }

    private static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[length];
    }

    public void Dispose()
    {
        _json.Dispose();
        _file.Dispose();
    }
}
