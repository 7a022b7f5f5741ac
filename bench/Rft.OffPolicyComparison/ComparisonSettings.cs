using static Rft.Benchmarks.BenchOptions;

namespace Rft.OffPolicyComparison;

/// <summary>
/// The settings every arm shares, from the command line:
/// <c>[output-folder] [--arms grpo,grpo2,replay,remix,raft,dpo] [--seeds 1234,4321] [--steps N] [--eval-every N] [--eval-count N]
/// [--reincarnation N] [--learning-rate X] [--warm-up DIR] [--report-only]</c>. Each arm and seed is saved as
/// <c>arms/&lt;arm&gt;-seed&lt;seed&gt;.json</c>; the report covers every result in the folder, so arms can run in
/// separate invocations from the same warm-up.
/// </summary>
public sealed record ComparisonSettings
{
    /// <summary>Every arm, in report order; grpo2 (the update-to-data control) runs only when named.</summary>
    public static readonly string[] AllArms = { "grpo", "grpo2", "replay", "remix", "raft", "dpo" };

    /// <summary>The arms a run without --arms trains.</summary>
    public static readonly string[] DefaultArms = { "grpo", "replay", "remix", "raft", "dpo" };

    /// <summary>Where the warm-up, the arms' results and the reports go.</summary>
    public string OutputDirectory { get; init; } = "offpolicy-report";

    public IReadOnlyList<string> Arms { get; init; } = DefaultArms;

    public IReadOnlyList<int> Seeds { get; init; } = new[] { 1234, 4321 };

    /// <summary>RL steps of each arm.</summary>
    public int Steps { get; init; } = 400;

    /// <summary>Held-out evaluation every this many RL steps (and after the warm-up and the last step).</summary>
    public int EvalEvery { get; init; } = 25;

    /// <summary>Held-out problems.</summary>
    public int EvalCount { get; init; } = 500;

    /// <summary>ReMix's reincarnation step; null: half of the run.</summary>
    public int? ReincarnationStep { get; init; }

    /// <summary>The RL learning rate of every arm, when overridden.</summary>
    public double? LearningRate { get; init; }

    /// <summary>A warm-up folder of an earlier run to start from instead of warming up again.</summary>
    public string? WarmUpCheckpoint { get; init; }

    /// <summary>Only write the report from the results already in the folder.</summary>
    public bool ReportOnly { get; init; }

    /// <summary>Parses the command line; throws <see cref="ArgumentException"/> naming the argument at fault.</summary>
    public static ComparisonSettings Parse(IReadOnlyList<string> args)
    {
        var settings = new ComparisonSettings();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                settings = settings with { OutputDirectory = arg };
                continue;
            }

            if (arg == "--report-only")
            {
                settings = settings with { ReportOnly = true };
                continue;
            }

            if (i + 1 >= args.Count) throw new ArgumentException($"{arg} needs a value.");
            string value = args[++i];
            settings = arg switch
            {
                "--arms" => settings with { Arms = ArmList(value) },
                "--seeds" => settings with { Seeds = value.Split(',').Select(s => Int("--seeds", s)).ToArray() },
                "--steps" => settings with { Steps = PositiveInt(arg, value) },
                "--eval-every" => settings with { EvalEvery = PositiveInt(arg, value) },
                "--eval-count" => settings with { EvalCount = PositiveInt(arg, value) },
                "--reincarnation" => settings with { ReincarnationStep = Int(arg, value) },
                "--learning-rate" => settings with { LearningRate = Double(arg, value) },
                "--warm-up" => settings with { WarmUpCheckpoint = value },
                _ => throw new ArgumentException(
                    $"Unknown argument {arg}; valid: --arms, --seeds, --steps, --eval-every, --eval-count, --reincarnation, --learning-rate, --warm-up, --report-only."),
            };
        }

        return settings;
    }

    private static string[] ArmList(string value)
    {
        var arms = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var arm in arms)
        {
            if (!AllArms.Contains(arm)) throw new ArgumentException($"--arms: unknown arm '{arm}'; valid: {string.Join(", ", AllArms)}.");
        }

        return arms;
    }
}
