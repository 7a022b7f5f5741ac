using System.Globalization;

namespace Rft.Training;

/// <summary>
/// Where a run stood when a checkpoint was written: the phase and its last finished step. Positions order
/// by phase (every warm-up step before every RL step), then by step.
/// </summary>
public readonly record struct CheckpointPosition(TrainingPhase Phase, int Step) : IComparable<CheckpointPosition>
{
    /// <summary>The phase's name in manifests, folder names and metrics.jsonl: "sft" or "rl".</summary>
    public string PhaseName => NameOf(Phase);

    /// <summary>The folder name of a periodic checkpoint at this position: <c>rl-000040</c>.</summary>
    public string FolderName => string.Create(CultureInfo.InvariantCulture, $"{PhaseName}-{Step:D6}");

    public int CompareTo(CheckpointPosition other) =>
        Phase != other.Phase ? Phase.CompareTo(other.Phase) : Step.CompareTo(other.Step);

    public static bool operator <(CheckpointPosition left, CheckpointPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(CheckpointPosition left, CheckpointPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(CheckpointPosition left, CheckpointPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(CheckpointPosition left, CheckpointPosition right) => left.CompareTo(right) >= 0;

    /// <summary>"rl step 40".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{PhaseName} step {Step}");

    public static string NameOf(TrainingPhase phase) => phase == TrainingPhase.Sft ? "sft" : "rl";

    /// <summary>The phase named "sft" or "rl".</summary>
    public static bool TryParsePhase(string? name, out TrainingPhase phase)
    {
        phase = name == "rl" ? TrainingPhase.Rl : TrainingPhase.Sft;
        return name is "sft" or "rl";
    }

    /// <summary>The position a periodic checkpoint's folder name (<see cref="FolderName"/>) stands for.</summary>
    public static bool TryParseFolderName(string name, out CheckpointPosition position)
    {
        position = default;
        int dash = name.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0 || !TryParsePhase(name[..dash], out var phase)) return false;
        var digits = name.AsSpan(dash + 1);
        if (digits.Length < 6 || digits.IndexOfAnyExceptInRange('0', '9') >= 0) return false;
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int step)) return false;
        position = new CheckpointPosition(phase, step);
        return true;
    }
}
