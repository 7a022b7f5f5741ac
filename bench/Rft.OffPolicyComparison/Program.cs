using System.Text.Json;
using Microsoft.Extensions.Options;
using Rft.Benchmarks;
using Rft.OffPolicyComparison;

// The issue-13 comparison: on-policy GRPO against replay, ReMix, RAFT and online DPO on the Arithmetic example's task,
// counting rollouts. One supervised warm-up, then every arm and seed starts from its checkpoint, one after the other in
// this process; each result is saved as it finishes, and the report covers every result in the output folder.
ComparisonSettings settings;
try
{
    settings = ComparisonSettings.Parse(args);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine(exception.Message);
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };
var log = Console.Error;
string output = Path.GetFullPath(settings.OutputDirectory);
string armsFolder = Path.Combine(output, "arms");
Directory.CreateDirectory(armsFolder);

// 1. The warm-up: an earlier run's, the one already in the output folder, or a new one.
string warmUpFolder = settings.WarmUpCheckpoint is { } earlier ? Path.GetFullPath(earlier) : Path.Combine(output, "warmup-policy");
WarmUpResult warmUp;
if (File.Exists(Path.Combine(warmUpFolder, "warmup.json")))
{
    warmUp = (JsonSerializer.Deserialize<WarmUpResult>(File.ReadAllText(Path.Combine(warmUpFolder, "warmup.json")))
        ?? throw new InvalidDataException($"{Path.Combine(warmUpFolder, "warmup.json")} is empty.")) with { Checkpoint = warmUpFolder };
    log.WriteLine($"[warm-up] reusing {warmUpFolder}: {warmUp.Steps} steps, validation accuracy {warmUp.ValidationAccuracy:F3}");
}
else if (settings.ReportOnly || settings.WarmUpCheckpoint is not null)
{
    Console.Error.WriteLine($"No warm-up in {warmUpFolder} (warmup.json): run without --report-only and --warm-up to make one.");
    return 2;
}
else
{
    var warmUpOptions = new ArithmeticGrpoOptions { Seed = 1234, EvalCount = settings.EvalCount, RunDirectory = Path.GetTempPath() };
    using var trainer = new ArithmeticGrpo.Trainer(Options.Create(warmUpOptions));
    warmUp = WarmUpRunner.Run(trainer, warmUpFolder, 20, log, cancellation.Token);
    File.WriteAllText(Path.Combine(warmUpFolder, "warmup.json"), JsonSerializer.Serialize(warmUp));
}

// 2. The arms, seed by seed.
if (!settings.ReportOnly)
{
    foreach (int seed in settings.Seeds)
    {
        foreach (string arm in settings.Arms)
        {
            if (cancellation.IsCancellationRequested) break;
            var (trainer, description, rolloutsPerStep) = Arms.Create(arm, settings, warmUp.Checkpoint, seed);
            using (trainer)
            {
                var result = await ArmRunner.RunAsync(arm, description, seed, trainer, rolloutsPerStep, settings.EvalEvery, log, cancellation.Token);
                File.WriteAllText(Path.Combine(armsFolder, $"{arm}-seed{seed}.json"), JsonSerializer.Serialize(result, ComparisonReport.Json));
            }
        }
    }
}

// 3. The report, over every result in the folder.
var results = Directory.GetFiles(armsFolder, "*.json").Order(StringComparer.Ordinal)
    .Select(path => JsonSerializer.Deserialize<ArmResult>(File.ReadAllText(path), ComparisonReport.Json)!)
    .ToList();
var report = new ComparisonReport(settings, warmUp, results);
Console.WriteLine(report.ToMarkdown());
report.Write(output);
Console.WriteLine($"Report written to {output} (report.md, report.json).");
return 0;
