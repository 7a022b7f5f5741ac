using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rft.Hosting;
using Rft.Pipelines.Tests.Pipelines;

namespace Rft.Pipelines.Tests;

/// <summary>The <c>eval</c> verb on a checkpoint that the host trained with a generated pipeline.</summary>
public sealed class EvalVerbTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("rft-eval-verb-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task Eval_scores_the_newest_runs_checkpoint_with_its_options_and_matches_the_runs_own_greedy_evaluation()
    {
        // A short run whose held-out set is smaller than the pipeline's default: eval must take it from options.json.
        var train = await Run([$"--Rft:RunDirectory={_root.FullName}", "--Rft:Steps=4", "--Rft:EvalCount=30"]);
        Assert.True(train.ExitCode == 0, train.Error);
        string run = Assert.Single(Directory.GetDirectories(_root.FullName));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));

        var eval = await Run(["eval", "--k", "4", "--samples", "6", "--seed", "3", $"--Rft:RunDirectory={_root.FullName}"]);

        Assert.True(eval.ExitCode == 0, eval.Error);
        Assert.Contains($"with the options of {Path.Combine(run, "options.json")}", eval.Out);
        Assert.Contains("eval greedy      30/30", eval.Out);
        Assert.Contains("eval sampled     30/30", eval.Out);
        using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "eval.json")));
        var json = result.RootElement;
        Assert.Equal(Path.Combine(run, "checkpoint"), json.GetProperty("model").GetString());
        Assert.Equal(30, json.GetProperty("problems").GetInt32());
        Assert.Equal(4, json.GetProperty("k").GetInt32());
        Assert.Equal(6, json.GetProperty("samples_per_problem").GetInt32());

        // Greedy decoding of the saved weights on the same held-out records is the run's final evaluation.
        var greedy = json.GetProperty("greedy");
        Assert.Equal(summary.RootElement.GetProperty("rl_accuracy").GetDouble(), greedy.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal(30, greedy.GetProperty("completions").GetInt32());
        // The only reward is the accuracy reward, 0 or 1: its mean is the accuracy.
        Assert.Equal(greedy.GetProperty("accuracy").GetDouble(), greedy.GetProperty("rewards").GetProperty("Echoed").GetProperty("mean").GetDouble(), 12);
        Assert.InRange(greedy.GetProperty("mean_completion_tokens").GetDouble(), 1, 3);

        var sampled = json.GetProperty("sampled");
        Assert.Equal(180, sampled.GetProperty("completions").GetInt32());
        double passAt4 = json.GetProperty("pass_at_k").GetDouble();
        Assert.InRange(passAt4, sampled.GetProperty("accuracy").GetDouble(), 1.0);
        Assert.Equal(4, json.GetProperty("examples").GetArrayLength());

        // The same seed samples the same completions.
        var again = await Run(["eval", "--k", "4", "--samples", "6", "--seed", "3", $"--Rft:RunDirectory={_root.FullName}", "--output", Path.Combine(_root.FullName, "again.json")]);
        Assert.True(again.ExitCode == 0, again.Error);
        using var repeated = JsonDocument.Parse(File.ReadAllText(Path.Combine(_root.FullName, "again.json")));
        Assert.Equal(passAt4, repeated.RootElement.GetProperty("pass_at_k").GetDouble());
        Assert.Equal(sampled.GetProperty("correct").GetInt32(), repeated.RootElement.GetProperty("sampled").GetProperty("correct").GetInt32());
    }

    [Fact]
    public async Task Pass_at_1_is_the_sampled_accuracy_and_the_command_line_overrides_the_runs_options()
    {
        var train = await Run([$"--Rft:RunDirectory={_root.FullName}", "--Rft:Steps=2", "--Rft:EvalCount=30"]);
        Assert.True(train.ExitCode == 0, train.Error);
        string checkpoint = Path.Combine(Assert.Single(Directory.GetDirectories(_root.FullName)), "checkpoint");
        string output = Path.Combine(_root.FullName, "k1.json");

        var eval = await Run(["eval", "--model", checkpoint, "--k", "1", "--samples", "3", "--Rft:EvalCount=12", "--output", output]);

        Assert.True(eval.ExitCode == 0, eval.Error);
        using var result = JsonDocument.Parse(File.ReadAllText(output));
        var json = result.RootElement;
        Assert.Equal(12, json.GetProperty("problems").GetInt32());
        Assert.Equal(json.GetProperty("sampled").GetProperty("accuracy").GetDouble(), json.GetProperty("pass_at_k").GetDouble(), 12);
    }

    [Fact]
    public async Task Bad_arguments_and_a_missing_checkpoint_exit_2_with_a_message_and_help_lists_the_flags()
    {
        var fewer = await Run(["eval", "--k", "4", "--samples", "2", $"--Rft:RunDirectory={_root.FullName}"]);
        Assert.Equal(2, fewer.ExitCode);
        Assert.Contains("eval: --samples 2 must be at least --k 4.", fewer.Error);

        var cold = await Run(["eval", "--temperature", "0", $"--Rft:RunDirectory={_root.FullName}"]);
        Assert.Equal(2, cold.ExitCode);
        Assert.Contains("eval: --temperature \"0\" must be a positive number.", cold.Error);

        var none = await Run(["eval", $"--Rft:RunDirectory={_root.FullName}"]);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("no --model given and no checkpoint under the run root", none.Error);

        var missing = await Run(["eval", "--model", Path.Combine(_root.FullName, "nowhere")]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nowhere does not exist", missing.Error);

        var help = await Run(["eval", "--help"]);
        Assert.Equal(0, help.ExitCode);
        foreach (var flag in new[] { "--model <path>", "--k <N>", "--samples <N>", "--temperature <X>", "--top-p <X>", "--seed <N>", "--output <path>" })
            Assert.Contains(flag, help.Out);
    }

    private static async Task<(int ExitCode, string Out, string Error)> Run(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = await RftHost.RunAsync(args, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.AddEchoDigit();
            builder.Services.AddSingleton(new RftConsole(output, error));
        });
        return (exitCode, output.ToString(), error.ToString());
    }
}
