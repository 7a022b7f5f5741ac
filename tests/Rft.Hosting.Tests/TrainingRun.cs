using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rft.Training;

namespace Rft.Hosting.Tests;

/// <summary>One run of <see cref="RftHost"/> with a <see cref="FakeTrainer"/>, its console captured and its runs under a temporary folder.</summary>
public sealed class TrainingRun
{
    private TrainingRun(string root) => Root = root;

    /// <summary>The RunDirectory option: the folder under which the run's own directory is created.</summary>
    public string Root { get; }

    public int ExitCode { get; private set; }

    public StringWriter Out { get; } = new();

    public StringWriter Error { get; } = new();

    /// <summary>The trainer, once DI created it.</summary>
    public FakeTrainer? Trainer { get; private set; }

    /// <param name="addOptions">Registers the options; <c>AddRftOptions&lt;FakeOptions&gt;()</c> when null.</param>
    public static async Task<TrainingRun> RunAsync(
        string root,
        TrainerScript script,
        string[]? args = null,
        TimeProvider? time = null,
        Action<IServiceCollection>? addOptions = null,
        CancellationToken cancellationToken = default)
    {
        var run = new TrainingRun(root);
        string[] allArgs = [$"--Rft:RunDirectory={root}", .. args ?? []];

        // A hung run fails its test instead of the whole test session.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));

        run.ExitCode = await RftHost.RunAsync(allArgs, builder =>
        {
            builder.Logging.ClearProviders();
            if (addOptions is null)
            {
                builder.Services.AddRftOptions<FakeOptions>();
            }
            else
            {
                addOptions(builder.Services);
            }

            builder.Services.AddSingleton<IPipelineTrainer>(provider =>
            {
                run.Trainer = new FakeTrainer(provider.GetRequiredService<FakeOptions>(), script, provider.GetRequiredService<IHostApplicationLifetime>());
                return script.WithoutResume ? new TrainerWithoutResume(run.Trainer) : run.Trainer;
            });
            builder.Services.AddRftTraining();
            builder.Services.AddSingleton(new RftConsole(run.Out, run.Error));
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }
        }, timeout.Token);

        Assert.False(timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested, "the run did not finish within 60 s");
        return run;
    }

    /// <summary>The run's own directory: the only one under <see cref="Root"/>.</summary>
    public string RunDirectory => Assert.Single(Directory.GetDirectories(Root));

    public JsonElement Summary() => ReadJson(Path.Combine(RunDirectory, "summary.json"));

    public JsonElement OptionsJson() => ReadJson(Path.Combine(RunDirectory, "options.json"));

    public JsonElement[] Metrics() => File.ReadAllLines(Path.Combine(RunDirectory, "metrics.jsonl"))
        .Select(line => JsonDocument.Parse(line).RootElement.Clone())
        .ToArray();

    /// <summary>The progress lines printed to standard output.</summary>
    public string[] OutLines() => Out.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    private static JsonElement ReadJson(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }
}
