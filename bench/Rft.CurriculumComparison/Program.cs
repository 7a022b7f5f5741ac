using Microsoft.Extensions.Options;
using Rft.CurriculumComparison;

// The issue-4 comparison: the Self-Evolving Curriculum against uniform sampling on arithmetic in three difficulty
// categories, same seed, warm-up and rollouts, one arm after the other in this process.
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

var uniformOptions = new ArithmeticUniformOptions
{
    Steps = settings.Steps, EvalEvery = 0, EvalCount = settings.EvalCount, Seed = settings.Seed, RunDirectory = Path.GetTempPath(),
};
var secOptions = new ArithmeticSecOptions
{
    Steps = settings.Steps, EvalEvery = 0, EvalCount = settings.EvalCount, Seed = settings.Seed, RunDirectory = Path.GetTempPath(),
};
if (settings.SftMaxSteps is int sftSteps)
{
    uniformOptions.SftMaxSteps = sftSteps;
    secOptions.SftMaxSteps = sftSteps;
}

if (settings.SecAlpha is double alpha) secOptions.CurriculumAlpha = alpha;
if (settings.SecTemperature is double temperature) secOptions.CurriculumTemperature = temperature;

// Evaluation is driven from here (EvalEvery = 0 in the trainers) so that each one also yields per-category accuracy.
foreach (var problem in uniformOptions.Validate().Concat(secOptions.Validate()))
{
    Console.Error.WriteLine(problem);
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

if (uniform.RolloutsPerStep != sec.RolloutsPerStep)
{
    Console.Error.WriteLine($"The arms sample different rollouts per step ({uniform.RolloutsPerStep} vs {sec.RolloutsPerStep}): not a fair comparison.");
    return 1;
}

var report = new ComparisonReport(settings, uniform, sec);
Console.WriteLine(report.ToMarkdown());
report.Write(settings.OutputDirectory);
Console.WriteLine($"Report written to {Path.GetFullPath(settings.OutputDirectory)} (report.md, report.json).");
return 0;
