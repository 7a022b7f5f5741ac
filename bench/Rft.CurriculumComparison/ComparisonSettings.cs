using static Rft.Benchmarks.BenchOptions;

namespace Rft.CurriculumComparison;

/// <summary>
/// The settings both arms share, from the command line:
/// <c>[output-folder] [--steps N] [--eval-every N] [--eval-count N] [--seed N] [--sft-max-steps N] [--sec-alpha X] [--sec-temperature X] [--learning-rate X] [--warm-up DIR]</c>.
/// Anything not given keeps the pipelines' attribute values.
/// </summary>
public sealed record ComparisonSettings
{
    /// <summary>Where the JSON and markdown reports go.</summary>
    public string OutputDirectory { get; init; } = "curriculum-report";

    /// <summary>RL steps of each arm.</summary>
    public int Steps { get; init; } = 500;

    /// <summary>Held-out evaluation every this many RL steps (and after the warm-up and the last step).</summary>
    public int EvalEvery { get; init; } = 50;

    /// <summary>Held-out problems, a multiple of 3 so that the categories are equally represented.</summary>
    public int EvalCount { get; init; } = 600;

    /// <summary>The seed of both arms.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>The warm-up's step cap (it stops earlier at its target accuracy).</summary>
    public int? SftMaxSteps { get; init; }

    /// <summary>A warm-up checkpoint of an earlier run to start both arms from instead of warming up again.</summary>
    public string? WarmUpCheckpoint { get; init; }

    /// <summary>The RL learning rate of both arms, when overridden.</summary>
    public double? LearningRate { get; init; }

    /// <summary>SEC's TD(0) rate, when overridden.</summary>
    public double? SecAlpha { get; init; }

    /// <summary>SEC's Boltzmann temperature, when overridden.</summary>
    public double? SecTemperature { get; init; }

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

            if (i + 1 >= args.Count) throw new ArgumentException($"{arg} needs a value.");
            string value = args[++i];
            settings = arg switch
            {
                "--steps" => settings with { Steps = PositiveInt(arg, value) },
                "--eval-every" => settings with { EvalEvery = PositiveInt(arg, value) },
                "--eval-count" => settings with { EvalCount = PositiveInt(arg, value) },
                "--seed" => settings with { Seed = Int(arg, value) },
                "--sft-max-steps" => settings with { SftMaxSteps = PositiveInt(arg, value) },
                "--sec-alpha" => settings with { SecAlpha = Double(arg, value) },
                "--sec-temperature" => settings with { SecTemperature = Double(arg, value) },
                "--learning-rate" => settings with { LearningRate = Double(arg, value) },
                "--warm-up" => settings with { WarmUpCheckpoint = value },
                _ => throw new ArgumentException(
                    $"Unknown argument {arg}; valid: --steps, --eval-every, --eval-count, --seed, --sft-max-steps, --sec-alpha, --sec-temperature, --learning-rate, --warm-up."),
            };
        }

        return settings;
    }
}
