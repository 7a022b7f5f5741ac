using System.Globalization;
using Rft.Training;

namespace Rft.Hosting.TensorBoard;

/// <summary>
/// Writes a run's metrics as a TensorBoard event file in the run directory (<c>Rft:TensorBoard=true</c>), so
/// <c>tensorboard --logdir runs</c> shows every run. One event per step holds that step's scalars under
/// <c>&lt;phase&gt;/&lt;metric&gt;</c> (the names of metrics.jsonl, <see cref="StepScalars"/>: <c>rl/loss</c>, <c>rl/reward/Correct</c>,
/// <c>rl/source/Sums/share</c>); each evaluation is <c>eval/&lt;name&gt;/accuracy</c> at its phase's last step. Every
/// event is flushed as it is written, so TensorBoard can follow a run live. Tags are encoded once: a step allocates nothing.
/// </summary>
internal sealed class TensorBoardWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly TimeProvider _time;
    private readonly ScalarEvent _event = new();
    private readonly PhaseTags _sft = new("sft");
    private readonly PhaseTags _rl = new("rl");
    private readonly Dictionary<string, byte[]> _evaluationTags = [];

    public TensorBoardWriter(string directory, TimeProvider time)
    {
        _time = time;
        // TensorBoard finds event files by the "tfevents" in their name; the rest follows TensorFlow's pattern.
        var now = time.GetUtcNow();
        Path = System.IO.Path.Combine(directory, string.Create(CultureInfo.InvariantCulture,
            $"events.out.tfevents.{now.ToUnixTimeSeconds()}.{SafeHost()}.{Environment.ProcessId}.rft"));
        _file = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 4096);
        _event.WriteFileVersion(_file, WallTime());
        _file.Flush();
    }

    /// <summary>The event file.</summary>
    public string Path { get; }

    public void WriteStep(StepReport report)
    {
        var tags = report.Phase == TrainingPhase.Sft ? _sft : _rl;
        _event.Begin(WallTime(), report.Step);
        Add(tags.Head, StepScalars.Head, report);
        var rewards = tags.Rewards(report.RewardNames);
        for (int i = 0; i < rewards.Length; i++) Add(rewards[i], report.RewardMeans[i]);
        Add(tags.Middle, StepScalars.Middle, report);
        var extras = tags.Extras(report.ExtraNames);
        for (int i = 0; i < extras.Length; i++) Add(extras[i], report.Extra[i]);
        Add(tags.Tail, StepScalars.Tail, report);
        Flush();
    }

    /// <summary>A final evaluation ("sft", "rl") at <paramref name="step"/>, the last step of its phase.</summary>
    public void WriteEvaluation(EvaluationResult result, int step)
    {
        if (!_evaluationTags.TryGetValue(result.Name, out var tag))
        {
            tag = ScalarEvent.Tag($"eval/{result.Name}/accuracy");
            _evaluationTags.Add(result.Name, tag);
        }

        _event.Begin(WallTime(), step);
        Add(tag, result.Accuracy);
        Flush();
    }

    public void Dispose() => _file.Dispose();

    // TensorBoard has no NaN convention for "not measured": such values are left out, as in metrics.jsonl.
    private void Add(byte[] tag, double value)
    {
        if (double.IsFinite(value)) _event.Add(tag, (float)value);
    }

    private void Add(byte[][] tags, IReadOnlyList<StepScalar> scalars, StepReport report)
    {
        for (int i = 0; i < tags.Length; i++) Add(tags[i], scalars[i].Value(report));
    }

    private void Flush()
    {
        if (_event.Count == 0) return;
        _event.WriteTo(_file);
        _file.Flush();
    }

    private double WallTime() => _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    private static string SafeHost()
    {
        var host = Environment.MachineName;
        var invalid = System.IO.Path.GetInvalidFileNameChars();
        return string.Concat(host.Select(c => Array.IndexOf(invalid, c) >= 0 || c == '.' ? '_' : c));
    }

    /// <summary>One phase's tags, encoded once; reward and extra tags once per name list (the trainer keeps one list per phase).</summary>
    private sealed class PhaseTags(string phase)
    {
        private IReadOnlyList<string>? _rewardNames;
        private byte[][] _rewards = [];
        private IReadOnlyList<string>? _extraNames;
        private byte[][] _extras = [];

        public byte[][] Head { get; } = Tags(phase, StepScalars.Head);
        public byte[][] Middle { get; } = Tags(phase, StepScalars.Middle);
        public byte[][] Tail { get; } = Tags(phase, StepScalars.Tail);

        public byte[][] Rewards(IReadOnlyList<string> names)
        {
            if (!ReferenceEquals(names, _rewardNames))
            {
                _rewards = names.Select(name => Tag(phase, "reward/" + name)).ToArray();
                _rewardNames = names;
            }

            return _rewards;
        }

        public byte[][] Extras(IReadOnlyList<string> names)
        {
            if (!ReferenceEquals(names, _extraNames))
            {
                _extras = names.Select(name => Tag(phase, name)).ToArray();
                _extraNames = names;
            }

            return _extras;
        }

        private static byte[] Tag(string phase, string name) => ScalarEvent.Tag(phase + "/" + name);

        private static byte[][] Tags(string phase, IReadOnlyList<StepScalar> scalars) => scalars.Select(s => Tag(phase, s.Name)).ToArray();
    }
}
