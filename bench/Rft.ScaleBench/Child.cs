using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Rft.Training;

namespace Rft.ScaleBench;

/// <summary>
/// One configuration in its own process: sets the pipeline up, trains its steps, and prints one <c>RESULT</c> line of JSON
/// with the resident memory after setup, the peak during RL and each step's seconds and phase figures.
/// </summary>
internal static class Child
{
    public const string ResultPrefix = "RESULT ";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new ScalePipelineOptions();
        new ConfigurationBuilder().AddCommandLine(args).Build().GetSection(ScalePipelineOptions.SectionName).Bind(options);
        if (options.Validate() is { Count: > 0 } errors)
        {
            foreach (var error in errors) Console.Error.WriteLine(error);
            return 2;
        }

        var wall = Stopwatch.StartNew();
        using var trainer = new ScalePipeline.Trainer(Options.Create(options));
        trainer.Setup();
        double setupSeconds = wall.Elapsed.TotalSeconds;
        long setupPeak = ProcessMemory.PeakResidentBytes() ?? -1;
        long afterSetup = ProcessMemory.ResidentBytes() ?? -1;
        bool reset = ProcessMemory.ResetPeak();

        var steps = new List<object>();
        await foreach (var report in trainer.TrainAsync(CancellationToken.None))
        {
            steps.Add(new
            {
                step = report.Step,
                seconds = report.Seconds,
                loss = report.Loss,
                optimizer_steps = report.OptimizerSteps,
                clip_fraction = report.ClipFraction,
                completion_length = report.MeanCompletionLength,
                peak_resident_bytes = ProcessMemory.PeakResidentBytes() ?? -1,
            });
            Console.Error.WriteLine($"step {report.Step}: {report.Seconds:F1} s, loss {report.Loss:F4}, peak {(ProcessMemory.PeakResidentBytes() ?? 0) / 1048576.0:F0} MiB");
        }

        var facts = trainer.RunFacts.ToDictionary(f => f.Key, f => f.Value);
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(new
        {
            setup_seconds = setupSeconds,
            setup_peak_resident_bytes = setupPeak,
            resident_bytes_after_setup = afterSetup,
            peak_was_reset = reset,
            rl_peak_resident_bytes = ProcessMemory.PeakResidentBytes() ?? -1,
            steps,
            facts,
        }));
        return 0;
    }
}
