using System.Text.Json;
using Microsoft.Extensions.Options;
using Rft.Benchmarks;
using Rft.CurriculumComparison;

// The issue-4 comparison: the Self-Evolving Curriculum against uniform sampling on arithmetic in three difficulty
// categories. One supervised warm-up, then both arms start from its checkpoint with the same seed and the same
// rollouts per step, one arm after the other in this process.
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
Directory.CreateDirectory(settings.OutputDirectory);

// 1. The warm-up, or the one an earlier run saved.
WarmUpResult warmUp;
if (settings.WarmUpCheckpoint is { } earlier)
{
    var saved = JsonSerializer.Deserialize<WarmUpResult>(File.ReadAllText(Path.Combine(earlier, "warmup.json")))
        ?? throw new InvalidDataException($"{Path.Combine(earlier, "warmup.json")} is empty.");
    warmUp = saved with { Checkpoint = Path.GetFullPath(earlier) };
    log.WriteLine($"[warm-up] reusing {earlier}: {warmUp.Steps} steps, validation accuracy {warmUp.ValidationAccuracy:F3}");
}
else
{
    var warmUpOptions = new ArithmeticUniformOptions { Seed = settings.Seed, EvalCount = settings.EvalCount, RunDirectory = Path.GetTempPath() };
    if (settings.SftMaxSteps is int sftSteps) warmUpOptions.SftMaxSteps = sftSteps;
    if (!Valid(warmUpOptions.Validate())) return 2;
    using var trainer = new ArithmeticUniform.Trainer(Options.Create(warmUpOptions));
    warmUp = WarmUpRunner.Run(trainer, Path.GetFullPath(Path.Combine(settings.OutputDirectory, "warmup-policy")), 20, log, cancellation.Token);
    File.WriteAllText(Path.Combine(warmUp.Checkpoint, "warmup.json"), JsonSerializer.Serialize(warmUp));
}

// 2. The arms: the warmed-up policy, no warm-up of their own; evaluation is driven from ArmRunner
//    (EvalEvery = 0 in the trainers) so that each one also yields per-category accuracy.
var uniformOptions = new ArithmeticUniformOptions
{
    PolicyPath = warmUp.Checkpoint, SftMaxSteps = 0, Steps = settings.Steps, EvalEvery = 0, EvalCount = settings.EvalCount, Seed = settings.Seed,
    RunDirectory = Path.GetTempPath(),
};
var secOptions = new ArithmeticSecOptions
{
    PolicyPath = warmUp.Checkpoint, SftMaxSteps = 0, Steps = settings.Steps, EvalEvery = 0, EvalCount = settings.EvalCount, Seed = settings.Seed,
    RunDirectory = Path.GetTempPath(),
};
if (settings.LearningRate is double learningRate)
{
    uniformOptions.LearningRate = learningRate;
    secOptions.LearningRate = learningRate;
}

if (settings.SecAlpha is double alpha) secOptions.CurriculumAlpha = alpha;
if (settings.SecTemperature is double temperature) secOptions.CurriculumTemperature = temperature;
if (!Valid(uniformOptions.Validate()) || !Valid(secOptions.Validate())) return 2;
if (uniformOptions.PromptsPerStep * uniformOptions.GroupSize != secOptions.PromptsPerStep * secOptions.GroupSize)
{
    log.WriteLine("The arms sample different rollouts per step: not a fair comparison.");
    return 2;
}

ArmResult uniform, sec;
using (var trainer = new ArithmeticUniform.Trainer(Options.Create(uniformOptions)))
{
    uniform = await ArmRunner.RunAsync("uniform", "uniform draws from the three sources (no curriculum)", trainer,
        uniformOptions.PromptsPerStep * uniformOptions.GroupSize, settings, log, cancellation.Token);
}

using (var trainer = new ArithmeticSec.Trainer(Options.Create(secOptions)))
{
    sec = await ArmRunner.RunAsync("sec", FormattableString.Invariant(
            $"Self-Evolving Curriculum on Digits, alpha {secOptions.CurriculumAlpha}, temperature {secOptions.CurriculumTemperature}"), trainer,
        secOptions.PromptsPerStep * secOptions.GroupSize, settings, log, cancellation.Token);
}

// 3. The report.
var report = new ComparisonReport(settings, warmUp, uniform, sec);
Console.WriteLine(report.ToMarkdown());
report.Write(settings.OutputDirectory);
Console.WriteLine($"Report written to {Path.GetFullPath(settings.OutputDirectory)} (report.md, report.json).");
return 0;

static bool Valid(IReadOnlyList<string> problems)
{
    foreach (var problem in problems) Console.Error.WriteLine(problem);
    return problems.Count == 0;
}
