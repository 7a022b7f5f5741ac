using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rft.Hosting.Sampling;
using Rft.Training;

namespace Rft.Hosting.Evaluation;

/// <summary>
/// The <c>eval</c> verb: sets up the pipeline's own trainer with <c>Rft:PolicyPath</c> pointing at the checkpoint (the
/// newest run's when no <c>--model</c> is given) and the settings of the run that saved it, evaluates it on the
/// held-out records (<see cref="IPipelineTrainer.EvaluateHeldOutAsync"/>), prints progress and writes eval.json.
/// </summary>
internal static class EvalCommand
{
    // Settings of the run that do not describe how to evaluate it.
    private static readonly string[] IgnoredRunOptions = ["RunDirectory", "PolicyPath", "TensorBoard"];

    /// <summary>
    /// Resolves the model and makes it configuration before the host is built: the run's options.json (beside a run's
    /// checkpoint) under the command line's <c>--Rft:Key=value</c>, and <c>Rft:PolicyPath</c> over everything.
    /// </summary>
    public static EvalTarget Prepare(EvalOptions options, HostApplicationBuilder builder, string runRoot)
    {
        string? model = options.Model ?? SampleCommand.NewestCheckpoint(runRoot);
        if (model is null)
        {
            return Fail(options,
                $"eval: no --model given and no checkpoint under the run root {Path.GetFullPath(runRoot)} (set by Rft:RunDirectory); train first, or pass --model <path>.");
        }

        model = Path.GetFullPath(model);
        if (!File.Exists(model) && !Directory.Exists(model))
            return Fail(options, $"eval: --model {model} does not exist; pass an Rft checkpoint folder, a Hugging Face directory or a llama2.c .bin file.");

        var registration = builder.Services.LastOrDefault(d => d.ServiceType == typeof(RftOptionsRegistration))?.ImplementationInstance as RftOptionsRegistration;
        string section = registration?.SectionPath ?? RftServiceCollectionExtensions.OptionsSection;
        string? run = Directory.Exists(model) ? Path.GetDirectoryName(model) : null;
        string? runOptions = run is not null && File.Exists(Path.Combine(run, "options.json")) ? Path.Combine(run, "options.json") : null;
        if (runOptions is not null && registration is not null)
        {
            Dictionary<string, string?> settings;
            try
            {
                settings = ReadRunOptions(runOptions, registration);
            }
            catch (JsonException exception)
            {
                return Fail(options, $"eval: {runOptions} (the options of the evaluated run) is not valid JSON: {exception.Message}");
            }

            // Under the command line, so that --Rft:Key=value still wins; over appsettings.json and the environment.
            var sources = ((IConfigurationBuilder)builder.Configuration).Sources;
            int at = sources.Count;
            for (int i = sources.Count - 1; i >= 0; i--)
            {
                if (sources[i] is not CommandLineConfigurationSource) continue;
                at = i;
                break;
            }

            sources.Insert(at, new MemoryConfigurationSource { InitialData = settings });
        }
        else
        {
            runOptions = null;
        }

        builder.Configuration.AddInMemoryCollection([new($"{section}:PolicyPath", model)]);
        string output = Path.GetFullPath(options.Output ?? (runOptions is not null ? Path.Combine(run!, "eval.json") : "eval.json"));
        return new EvalTarget(options, model, null, runOptions, output);
    }

    /// <summary>Exit codes: 0 evaluated, 1 the model could not be loaded or evaluated, 2 an argument or option is invalid.</summary>
    public static async Task<int> RunAsync(EvalTarget target, IServiceProvider services, RftConsole console, CancellationToken cancellationToken)
    {
        if (target.Problem is not null)
        {
            console.Error.WriteLine(target.Problem);
            return TrainingOutcome.InvalidOptions;
        }

        var options = target.Options;
        var settings = new HeldOutEvaluationSettings(options.K, options.Samples ?? options.K, options.Temperature, options.TopP, options.Seed);
        IPipelineTrainer trainer;
        try
        {
            trainer = services.GetRequiredService<IPipelineTrainer>();
        }
        catch (Exception exception) when (OptionsProblems.TryCollect(exception, out var failures))
        {
            OptionsProblems.Write(console.Error, failures);
            return TrainingOutcome.InvalidOptions;
        }

        var wall = Stopwatch.StartNew();
        console.Out.WriteLine(target.RunOptions is null
            ? $"eval: {trainer.PipelineName}, policy {target.Model}"
            : $"eval: {trainer.PipelineName}, policy {target.Model}, with the options of {target.RunOptions}");
        try
        {
            trainer.Setup();
        }
        catch (Exception exception) when (exception is IOException or FormatException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"eval: cannot load {target.Model}: {exception.Message}");
            return TrainingOutcome.TrainingFailed;
        }

        var result = await trainer.EvaluateHeldOutAsync(settings, new ConsoleEvaluationProgress(console.Out), cancellationToken).ConfigureAwait(false);
        EvalJson.Write(target.Output, trainer.PipelineName, target.Model!, result);
        foreach (var line in Summary(result)) console.Out.WriteLine(line);
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"eval: wrote {target.Output} ({wall.Elapsed.TotalSeconds:F1} s)"));
        return TrainingOutcome.Success;
    }

    private static IEnumerable<string> Summary(HeldOutEvaluation result)
    {
        var inv = CultureInfo.InvariantCulture;
        var s = result.Settings;
        yield return string.Create(inv,
            $"eval: {result.Problems} problems: greedy accuracy {result.Greedy.Accuracy:F3} ({result.Greedy.Correct}/{result.Problems}), " +
            $"pass@{s.K} {result.PassAtK:F3} (n = {s.Samples} at temperature {s.Temperature}, top-p {s.TopP}), sampled accuracy {result.Sampled.Accuracy:F3}");
        var rewards = result.RewardNames.Select((name, i) => string.Create(inv, $"{name} {result.Greedy.RewardMeans[i]:F3} / {result.Sampled.RewardMeans[i]:F3}"));
        yield return "eval: reward means, greedy / sampled: " + string.Join(", ", rewards);
        yield return string.Create(inv,
            $"eval: completion length (tokens), greedy / sampled: {result.Greedy.MeanCompletionTokens:F2} / {result.Sampled.MeanCompletionTokens:F2}");
    }

    /// <summary>The run's settings as configuration under the options' section, keeping only keys that name an option.</summary>
    private static Dictionary<string, string?> ReadRunOptions(string path, RftOptionsRegistration registration)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!registration.OptionNames.Contains(property.Name) || IgnoredRunOptions.Contains(property.Name, StringComparer.OrdinalIgnoreCase)) continue;
            string? value = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null, // null leaves the default; options are scalars
            };
            if (value is not null) settings[$"{registration.SectionPath}:{property.Name}"] = value;
        }

        return settings;
    }

    private static EvalTarget Fail(EvalOptions options, string problem) => new(options, null, problem, null, string.Empty);
}
