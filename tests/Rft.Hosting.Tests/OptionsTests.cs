using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rft.Training;

namespace Rft.Hosting.Tests;

public sealed class OptionsTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_command_line_override_reaches_the_options()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:Steps=7"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(7, run.Trainer!.Options.Steps);
        Assert.Equal(7, run.Summary().GetProperty("rl_steps").GetInt32());
        Assert.Equal(7, run.OptionsJson().GetProperty("Steps").GetInt32());
    }

    [Fact]
    public async Task Invalid_options_exit_2_naming_each_option_before_any_training()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:GroupSize=1", "--Rft:Steps=0"]);

        Assert.Equal(2, run.ExitCode);
        var lines = run.Error.ToString().Split(Environment.NewLine);
        Assert.Contains("  Rft:GroupSize = 1 is invalid: must be at least 2", lines);
        Assert.Contains("  Rft:Steps = 0 is invalid: must be at least 1", lines);
        Assert.Contains(lines, line => line.Contains("--Rft:", StringComparison.Ordinal));
        Assert.Null(run.Trainer);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
        Assert.Equal("", run.Out.ToString());
    }

    [Fact]
    public async Task A_misspelt_option_exits_2_suggesting_the_option_meant()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:Stpes=9"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Rft:Stpes is not an option of FakeOptions: did you mean Rft:Steps?", run.Error.ToString());
        Assert.Null(run.Trainer);
    }

    [Fact]
    public async Task An_unknown_option_far_from_any_lists_the_options()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:Temperature=0.7"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(
            "Rft:Temperature is not an option of FakeOptions; the options are CheckpointEvery, GroupSize, KeepCheckpoints, LearningRate, LogEvery, Resume, ResumeOverride, RunDirectory, Seed, Steps, TensorBoard, WarmUpSteps",
            run.Error.ToString());
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_exits_2_naming_the_option()
    {
        var run = await TrainingRun.RunAsync(_root.Path, new TrainerScript(), ["--Rft:Steps=many"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'many' at 'Rft:Steps'", run.Error.ToString());
        Assert.DoesNotContain("   at ", run.Error.ToString());
        Assert.Null(run.Trainer);
    }

    [Fact]
    public async Task Options_validated_only_when_first_used_still_exit_2_before_any_training()
    {
        var run = await TrainingRun.RunAsync(
            _root.Path,
            new TrainerScript(),
            ["--Rft:GroupSize=1"],
            addOptions: services =>
            {
                // No ValidateOnStart: the training service is the first to ask for the options.
                services.AddOptions<FakeOptions>().BindConfiguration("Rft");
                services.AddSingleton<IValidateOptions<FakeOptions>, RftOptionsValidator<FakeOptions>>();
                services.AddSingleton<IRftOptions>(provider => provider.GetRequiredService<IOptions<FakeOptions>>().Value);
                services.AddSingleton(provider => provider.GetRequiredService<IOptions<FakeOptions>>().Value);
            });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("  Rft:GroupSize = 1 is invalid: must be at least 2", run.Error.ToString().Split(Environment.NewLine));
        Assert.Null(run.Trainer);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public void The_validator_passes_on_the_options_own_problems()
    {
        var validator = new RftOptionsValidator<FakeOptions>();

        Assert.True(validator.Validate(null, new FakeOptions()).Succeeded);
        var result = validator.Validate(null, new FakeOptions { GroupSize = 1 });
        Assert.True(result.Failed);
        Assert.Equal(["Rft:GroupSize = 1 is invalid: must be at least 2"], result.Failures!);
    }
}
