using System.Runtime.InteropServices;
using System.Text.Json;
using MessagePack;
using Rft.Data.Curricula;
using Rft.Text;
using Rft.Training;
using static TorchSharp.torch;

namespace Rft.Rollout;

/// <summary>
/// Rollouts read from a JSON Lines log instead of sampled ([OfflineRollouts]): the file <see cref="RolloutLogWriter"/>
/// writes, or another system's logged completions with rewards. Each line is one completion; consecutive lines with the
/// same <c>step</c> and <c>group</c> (or, without them, the same prompt) form a group of exactly <c>GroupSize</c> lines.
/// <see cref="Next"/> lays the next groups out as the sampler would have (prompts left-padded, completions right-padded
/// with the pad id, the same positions and masks), so the rest of the step cannot tell them from sampled ones.
/// </summary>
/// <remarks>
/// Read per line: <c>prompt_ids</c> or <c>prompt</c> (text, tokenized with BOS as prompts are), <c>completion_ids</c> (the
/// stop token included when the completion finished) or <c>completion</c> (text; <c>finished</c>, default true, appends
/// the stop token), <c>reward</c> (a number, or null for a sample that was masked), optional <c>valid</c>,
/// <c>correct</c>, <c>rewards</c> (each reward's value by name) and <c>behaviour_log_probs</c> (one per completion
/// token). Advantages in the file are not read: the step computes them from the rewards with the pipeline's estimator.
/// A malformed line stops loading with the file, the line and the field.
/// </remarks>
public sealed class LoggedRollouts : IDisposable
{
    private const string Kind = "LoggedRollouts";
    private const int Version = 1;

    private readonly List<LoggedRow> _rows = new();
    private readonly int _groupSize;
    private readonly bool _repeat;
    private readonly int _padId;
    private readonly RolloutBatch _batch;
    private readonly int[] _stepRows;               // the rows of the last Next, as indices into _rows

    // Host staging (CPU) and outputs on the device, flat, allocated once.
    private readonly Tensor _hostSequences, _hostAttention, _hostPositions, _hostMask, _hostLogProbs;
    private readonly Tensor _outSequences, _outAttention, _outPositions, _outMask, _outLogProbs;

    /// <param name="path">The JSON Lines file.</param>
    /// <param name="rewardNames">The pipeline's rewards: <c>rewards</c> values are read by these names.</param>
    /// <param name="maxPrompts">The most groups one <see cref="Next"/> takes.</param>
    /// <param name="requireBehaviour">Every line must carry <c>behaviour_log_probs</c> (the update reads them).</param>
    /// <param name="repeat">Start over at the end of the file; else <see cref="Next"/> past the end throws.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">A malformed line or group; the message names the file, the line and the field.</exception>
    public LoggedRollouts(string path, ITokenizer tokenizer, IReadOnlyList<string> rewardNames, int groupSize, int maxPrompts,
        int maxPromptTokens, int maxNewTokens, Device device, bool requireBehaviour, bool repeat)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(rewardNames);
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPrompts, 1);
        Path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(Path)) throw new FileNotFoundException($"The logged rollouts file {Path} does not exist (Rft:OfflineRolloutsPath).", Path);
        _groupSize = groupSize;
        _repeat = repeat;
        _padId = tokenizer.PadId;
        MaxPromptTokens = maxPromptTokens;
        MaxNewTokens = maxNewTokens;

        var reader = new LineReader(Path, tokenizer, rewardNames, maxPromptTokens, maxNewTokens, requireBehaviour);
        int number = 0;
        foreach (string line in File.ReadLines(Path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            _rows.Add(reader.Read(line, number));
        }

        GroupStarts = Group();
        int maxRows = maxPrompts * groupSize, width = maxPromptTokens + maxNewTokens;
        _stepRows = new int[maxRows];
        _batch = new RolloutBatch(maxRows, maxNewTokens);
        using var scope = NewDisposeScope();
        _hostSequences = Buffer(maxRows * width, ScalarType.Int64, CPU);
        _hostAttention = Buffer(maxRows * width, ScalarType.Bool, CPU);
        _hostPositions = Buffer(maxRows * width, ScalarType.Int64, CPU);
        _hostMask = Buffer(maxRows * maxNewTokens, ScalarType.Float32, CPU);
        _hostLogProbs = Buffer(maxRows * maxNewTokens, ScalarType.Float32, CPU);
        bool onCpu = device.type == TorchSharp.DeviceType.CPU;
        _outSequences = onCpu ? _hostSequences : Buffer(maxRows * width, ScalarType.Int64, device);
        _outAttention = onCpu ? _hostAttention : Buffer(maxRows * width, ScalarType.Bool, device);
        _outPositions = onCpu ? _hostPositions : Buffer(maxRows * width, ScalarType.Int64, device);
        _outMask = onCpu ? _hostMask : Buffer(maxRows * maxNewTokens, ScalarType.Float32, device);
        _outLogProbs = onCpu ? _hostLogProbs : Buffer(maxRows * maxNewTokens, ScalarType.Float32, device);
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    public int MaxPromptTokens { get; }
    public int MaxNewTokens { get; }

    /// <summary>Completions read (one per non-blank line).</summary>
    public int Lines => _rows.Count;

    /// <summary>The first row of each group, in file order.</summary>
    public IReadOnlyList<int> GroupStarts { get; }

    /// <summary>Groups taken so far by <see cref="Next"/> (it wraps around the file when repeating).</summary>
    public long Position { get; private set; }

    /// <summary>
    /// The next <paramref name="prompts"/> groups as a rollout batch (group g at rows [g * G, (g + 1) * G)), valid until the
    /// next call.
    /// </summary>
    /// <exception cref="InvalidOperationException">The file has no more groups and does not repeat.</exception>
    public RolloutBatch Next(int prompts)
    {
        if (prompts * _groupSize > _stepRows.Length)
            throw new ArgumentOutOfRangeException(nameof(prompts), prompts, $"At most {_stepRows.Length / _groupSize} groups per step.");
        int groups = GroupStarts.Count;
        if (!_repeat && Position + prompts > groups)
            throw new InvalidOperationException($"{Path} holds {groups} groups of {_groupSize}; {Position} were used and a step needs {prompts} more (set Repeat = true on [OfflineRollouts] to pass over it again, or fewer Rft:Steps).");

        int rows = prompts * _groupSize, p = 1, t = 1;
        for (int g = 0; g < prompts; g++)
        {
            int start = GroupStarts[(int)((Position + g) % groups)];
            for (int i = 0; i < _groupSize; i++) _stepRows[g * _groupSize + i] = start + i;
        }

        Position += prompts;
        for (int r = 0; r < rows; r++)
        {
            var row = _rows[_stepRows[r]];
            p = Math.Max(p, row.PromptIds.Length);
            t = Math.Max(t, row.CompletionIds.Length);
        }

        Publish(rows, p, t);
        return _batch;
    }

    /// <summary>Records the logged rewards of the last <see cref="Next"/>'s rows: totals into <paramref name="scores"/>, each reward's value into its column.</summary>
    public void Score(ScoreBuffer scores, IReadOnlyList<float[]> rewards)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(rewards);
        int rows = _batch.Rows;
        scores.Clear(rows);
        for (int r = 0; r < rows; r++)
        {
            var row = _rows[_stepRows[r]];
            scores.Set(r, row.Reward, row.Correct);
            for (int k = 0; k < rewards.Count; k++) rewards[k][r] = row.Rewards[k];
        }
    }

    /// <summary>The file line of row <paramref name="row"/> of the last <see cref="Next"/>.</summary>
    public int LineOf(int row) => _rows[_stepRows[row]].Line;

    /// <summary>The position in the file, as MessagePack.</summary>
    public byte[] SaveState() => CheckpointState.Save(Kind, Version, 2, (ref MessagePackWriter writer) =>
    {
        writer.Write(GroupStarts.Count);
        writer.Write(Position);
    });

    /// <summary>Restores a position saved by <see cref="SaveState"/> for the same file.</summary>
    public void LoadState(ReadOnlySpan<byte> state) => CheckpointState.Load(state, Kind, Version, 2, (ref MessagePackReader reader) =>
    {
        int groups = reader.ReadInt32();
        if (groups != GroupStarts.Count) throw new FormatException($"The state was saved for a file of {groups} groups; {Path} has {GroupStarts.Count}.");
        Position = reader.ReadInt64();
    });

    // Consecutive lines of one group key; each group must have exactly GroupSize lines.
    private List<int> Group()
    {
        if (_rows.Count == 0) throw new InvalidDataException($"{Path} holds no logged rollouts: it is empty.");
        var starts = new List<int>();
        int start = 0;
        for (int i = 1; i <= _rows.Count; i++)
        {
            if (i < _rows.Count && _rows[i].GroupKey == _rows[start].GroupKey) continue;
            int size = i - start;
            if (size != _groupSize)
            {
                throw new InvalidDataException(
                    $"{Path}:{_rows[start].Line}: the group of lines {_rows[start].Line}-{_rows[i - 1].Line} ({Describe(_rows[start].GroupKey)}) has {size} completions; every group needs Rft:GroupSize = {_groupSize} (consecutive lines of one step and group, or of one prompt).");
            }

            starts.Add(start);
            start = i;
        }

        return starts;
    }

    private static string Describe(string key) => key.StartsWith("group:", StringComparison.Ordinal) ? key : "prompt " + key;

    // Lays the step's rows out as the sampler does and points the batch at them.
    private void Publish(int rows, int p, int t)
    {
        int width = p + t;
        var sequences = MemoryMarshal.Cast<byte, long>(_hostSequences.bytes)[..(rows * width)];
        var attention = MemoryMarshal.Cast<byte, bool>(_hostAttention.bytes)[..(rows * width)];
        var positions = MemoryMarshal.Cast<byte, long>(_hostPositions.bytes)[..(rows * width)];
        var mask = MemoryMarshal.Cast<byte, float>(_hostMask.bytes)[..(rows * t)];
        var logProbs = MemoryMarshal.Cast<byte, float>(_hostLogProbs.bytes)[..(rows * t)];
        sequences.Fill(_padId);
        attention.Clear();
        positions.Clear();
        mask.Clear();
        logProbs.Clear();
        var tokens = _batch.HostTokens;
        var counts = _batch.HostCounts;
        var finished = _batch.HostFinished;
        for (int r = 0; r < rows; r++)
        {
            var row = _rows[_stepRows[r]];
            int length = row.PromptIds.Length, pad = p - length, at = r * width;
            for (int j = 0; j < length; j++)
            {
                sequences[at + pad + j] = row.PromptIds[j];
                attention[at + pad + j] = true;
                positions[at + pad + j] = j;
            }

            // Completion token s at column P + s with position (prompt length) + s, as the sampler places it.
            for (int s = 0; s < t; s++) positions[at + p + s] = length + s;
            for (int s = 0; s < row.CompletionIds.Length; s++)
            {
                sequences[at + p + s] = row.CompletionIds[s];
                attention[at + p + s] = true;
                mask[r * t + s] = 1f;
                if (row.Behaviour is { } behaviour) logProbs[r * t + s] = behaviour[s];
            }

            row.CompletionIds.AsSpan().CopyTo(tokens.Slice(r * _batch.HostStride));
            counts[r] = row.CompletionIds.Length;
            finished[r] = row.Finished;
        }

        using var scope = NewDisposeScope();
        _batch.Set(rows, _groupSize, p, t,
            Out(_outSequences, _hostSequences, rows, width), Out(_outAttention, _hostAttention, rows, width), Out(_outPositions, _hostPositions, rows, width),
            Out(_outMask, _hostMask, rows, t), Out(_outLogProbs, _hostLogProbs, rows, t));
    }

    // The [rows, columns] view of an output buffer, filled from its host staging (the same tensor on the CPU).
    private static Tensor Out(Tensor output, Tensor host, int rows, int columns)
    {
        var view = output.narrow(0, 0, (long)rows * columns).view(rows, columns);
        if (!ReferenceEquals(output, host)) view.copy_(host.narrow(0, 0, (long)rows * columns).view(rows, columns));
        return view;
    }

    private static Tensor Buffer(long length, ScalarType dtype, Device device) => zeros([length], dtype, device).DetachFromDisposeScope();

    public void Dispose()
    {
        _batch.ReleaseViews();
        foreach (var tensor in new[] { _hostSequences, _hostAttention, _hostPositions, _hostMask, _hostLogProbs })
            tensor.Dispose();
        if (!ReferenceEquals(_outSequences, _hostSequences))
        {
            foreach (var tensor in new[] { _outSequences, _outAttention, _outPositions, _outMask, _outLogProbs })
                tensor.Dispose();
        }
    }

    /// <summary>One logged completion.</summary>
    private sealed record LoggedRow(
        int Line, string GroupKey, int[] PromptIds, int[] CompletionIds, bool Finished, float[]? Behaviour, float Reward, bool Correct, float[] Rewards);

    /// <summary>Reads and checks one line; every error names the file, the line and the field.</summary>
    private sealed class LineReader(string path, ITokenizer tokenizer, IReadOnlyList<string> rewardNames, int maxPromptTokens, int maxNewTokens, bool requireBehaviour)
    {
        private readonly int[] _scratch = new int[Math.Max(maxPromptTokens, maxNewTokens) + 2];

        public LoggedRow Read(string text, int line)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException exception)
            {
                throw Error(line, null, $"is not valid JSON ({exception.Message})");
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw Error(line, null, $"is a JSON {root.ValueKind}, not an object with the fields of one completion");
                var prompt = PromptIds(root, line);
                var (completion, finished) = CompletionIds(root, line);
                var behaviour = Behaviour(root, line, completion.Length);
                bool valid = !root.TryGetProperty("valid", out var validField) || Bool(validField, line, "valid");
                float reward = Reward(root, line, ref valid);
                bool correct = root.TryGetProperty("correct", out var correctField) && Bool(correctField, line, "correct");
                return new LoggedRow(line, GroupKey(root, line, prompt), prompt, completion, finished, behaviour, valid ? reward : float.NaN, valid && correct,
                    RewardValues(root, line));
            }
        }

        private int[] PromptIds(JsonElement root, int line)
        {
            if (root.TryGetProperty("prompt_ids", out var ids)) return Ids(ids, line, "prompt_ids", maxPromptTokens, "Rft:MaxPromptTokens");
            if (!root.TryGetProperty("prompt", out var prompt)) throw Error(line, "prompt", "is missing: a line needs 'prompt' (text) or 'prompt_ids'");
            if (prompt.ValueKind != JsonValueKind.String) throw Error(line, "prompt", $"is a JSON {prompt.ValueKind}, not a string");
            int bos = tokenizer.HasBosToken ? 1 : 0;
            int length = bos + Encode(prompt.GetString()!, line, "prompt");
            if (length == 0) throw Error(line, "prompt", "is empty and the tokenizer has no BOS token");
            if (length > maxPromptTokens) throw Error(line, "prompt", $"has {length} tokens, more than Rft:MaxPromptTokens = {maxPromptTokens}");
            var result = new int[length];
            if (bos == 1) result[0] = tokenizer.BosId;
            _scratch.AsSpan(0, length - bos).CopyTo(result.AsSpan(bos));
            return result;
        }

        private (int[] Ids, bool Finished) CompletionIds(JsonElement root, int line)
        {
            bool hasFinished = root.TryGetProperty("finished", out var finishedField);
            bool? finished = hasFinished ? Bool(finishedField, line, "finished") : null;
            if (root.TryGetProperty("completion_ids", out var ids))
            {
                var tokens = Ids(ids, line, "completion_ids", maxNewTokens, "Rft:MaxNewTokens");
                if (tokens.Length == 0) throw Error(line, "completion_ids", "is empty: a completion has at least one token");
                bool endsWithStop = tokens[^1] == tokenizer.EosId;
                if (finished == true && !endsWithStop)
                    throw Error(line, "completion_ids", $"does not end with the stop token {tokenizer.EosId} although 'finished' is true");
                return (tokens, finished ?? endsWithStop);
            }

            if (!root.TryGetProperty("completion", out var completion)) throw Error(line, "completion", "is missing: a line needs 'completion' (text) or 'completion_ids'");
            if (completion.ValueKind != JsonValueKind.String) throw Error(line, "completion", $"is a JSON {completion.ValueKind}, not a string");
            bool stop = finished ?? true;
            int length = Encode(completion.GetString()!, line, "completion");
            int total = length + (stop ? 1 : 0);
            if (total == 0) throw Error(line, "completion", "is empty and not finished: a completion has at least one token");
            if (total > maxNewTokens) throw Error(line, "completion", $"has {total} tokens (the stop token included), more than Rft:MaxNewTokens = {maxNewTokens}");
            var result = new int[total];
            _scratch.AsSpan(0, length).CopyTo(result);
            if (stop) result[^1] = tokenizer.EosId;
            return (result, stop);
        }

        private float[]? Behaviour(JsonElement root, int line, int tokens)
        {
            if (!root.TryGetProperty("behaviour_log_probs", out var field) || field.ValueKind == JsonValueKind.Null)
            {
                if (requireBehaviour) throw Error(line, "behaviour_log_probs", "is missing: Rft:OldLogProbs = Behaviour (or replay) reads the logged log-probs of every completion token");
                return null;
            }

            if (field.ValueKind != JsonValueKind.Array) throw Error(line, "behaviour_log_probs", $"is a JSON {field.ValueKind}, not an array of numbers");
            int count = field.GetArrayLength();
            if (count != tokens) throw Error(line, "behaviour_log_probs", $"has {count} values for the completion's {tokens} tokens");
            var values = new float[count];
            int i = 0;
            foreach (var value in field.EnumerateArray())
            {
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetSingle(out float logProb) || !float.IsFinite(logProb) || logProb > 0)
                    throw Error(line, "behaviour_log_probs", $"holds {value.GetRawText()} at index {i}: a log-probability is a finite number of at most 0");
                values[i++] = logProb;
            }

            return values;
        }

        private float Reward(JsonElement root, int line, ref bool valid)
        {
            if (!root.TryGetProperty("reward", out var field)) throw Error(line, "reward", "is missing: offline training reads each completion's reward total");
            if (field.ValueKind == JsonValueKind.Null)
            {
                valid = false;
                return float.NaN;
            }

            if (field.ValueKind != JsonValueKind.Number || !field.TryGetSingle(out float reward) || !float.IsFinite(reward))
                throw Error(line, "reward", $"is {field.GetRawText()}, not a finite number (null marks a masked sample)");
            return reward;
        }

        private float[] RewardValues(JsonElement root, int line)
        {
            var values = new float[rewardNames.Count];
            Array.Fill(values, float.NaN);
            if (!root.TryGetProperty("rewards", out var field) || field.ValueKind == JsonValueKind.Null) return values;
            if (field.ValueKind != JsonValueKind.Object) throw Error(line, "rewards", $"is a JSON {field.ValueKind}, not an object of reward values by name");
            for (int r = 0; r < rewardNames.Count; r++)
            {
                if (!field.TryGetProperty(rewardNames[r], out var value) || value.ValueKind == JsonValueKind.Null) continue;
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetSingle(out float number))
                    throw Error(line, "rewards." + rewardNames[r], $"is {value.GetRawText()}, not a number");
                values[r] = number;
            }

            return values;
        }

        // step and group when the line has them (the dump's), else the prompt.
        private string GroupKey(JsonElement root, int line, int[] prompt)
        {
            if (root.TryGetProperty("group", out var group))
            {
                string step = root.TryGetProperty("step", out var stepField) ? stepField.GetRawText() : "-";
                if (group.ValueKind is not (JsonValueKind.Number or JsonValueKind.String)) throw Error(line, "group", $"is a JSON {group.ValueKind}, not a number or string");
                return "group:" + step + "/" + group.GetRawText();
            }

            return string.Join(",", prompt);
        }

        private int[] Ids(JsonElement field, int line, string name, int limit, string option)
        {
            if (field.ValueKind != JsonValueKind.Array) throw Error(line, name, $"is a JSON {field.ValueKind}, not an array of token ids");
            int count = field.GetArrayLength();
            if (count > limit) throw Error(line, name, $"has {count} tokens, more than {option} = {limit}");
            var ids = new int[count];
            int i = 0;
            foreach (var value in field.EnumerateArray())
            {
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int id) || id < 0 || id >= tokenizer.VocabSize)
                    throw Error(line, name, $"holds {value.GetRawText()} at index {i}: a token id is an integer in [0, {tokenizer.VocabSize}) for this policy's tokenizer");
                ids[i++] = id;
            }

            return ids;
        }

        private int Encode(string text, int line, string field)
        {
            try
            {
                int needed = tokenizer.Encode(text, _scratch);
                if (needed > _scratch.Length) throw Error(line, field, $"has {needed} tokens, more than fit ({_scratch.Length - 2})");
                return needed;
            }
            catch (ArgumentException exception)
            {
                throw Error(line, field, $"cannot be tokenized by the policy's tokenizer: {exception.Message}");
            }
        }

        private bool Bool(JsonElement value, int line, string field) => value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(line, field, $"is {value.GetRawText()}, not true or false"),
        };

        private InvalidDataException Error(int line, string? field, string problem) =>
            new(field is null ? $"{path}:{line}: the line {problem}." : $"{path}:{line}: field '{field}' {problem}.");
    }
}
