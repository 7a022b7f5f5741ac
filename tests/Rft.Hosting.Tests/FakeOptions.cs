using Rft.Training;

namespace Rft.Hosting.Tests;

/// <summary>A pipeline options class as the generator writes one: defaults, bound from "Rft", self-validating.</summary>
public sealed class FakeOptions : IRftOptions
{
    public int Seed { get; set; } = 7;

    public string RunDirectory { get; set; } = "runs";

    public int LogEvery { get; set; } = 2;

    public bool TensorBoard { get; set; }

    public int WarmUpSteps { get; set; } = 3;

    public int Steps { get; set; } = 5;

    public int GroupSize { get; set; } = 8;

    public double LearningRate { get; set; } = 3e-5;

    public int CheckpointEvery { get; set; }

    public int KeepCheckpoints { get; set; } = 3;

    public string? Resume { get; set; }

    public bool ResumeOverride { get; set; }

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (GroupSize < 2)
        {
            problems.Add($"Rft:GroupSize = {GroupSize} is invalid: must be at least 2");
        }

        if (Steps < 1)
        {
            problems.Add($"Rft:Steps = {Steps} is invalid: must be at least 1");
        }

        if (LogEvery < 1)
        {
            problems.Add($"Rft:LogEvery = {LogEvery} is invalid: must be at least 1");
        }

        return problems;
    }
}
