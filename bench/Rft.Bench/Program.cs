using System.Diagnostics;
using Microsoft.Extensions.Options;
using Rft.Bench;

if (args is ["fused", ..])
{
    Environment.ExitCode = FusedLogProbBench.Run(args[1..]);
    return;
}

// Managed bytes allocated per steady-state GRPO step: warm up, then measure 50 steps, at two batch
// sizes (completions per step = prompts x group size). Usage: dotnet run -c Release --project bench/Rft.Bench [warmup] [measured]
int warmup = args.Length > 0 ? int.Parse(args[0]) : 10;
int measured = args.Length > 1 ? int.Parse(args[1]) : 50;
Console.WriteLine($"GRPO step, preset tiny, 6 new tokens; {warmup} warm-up steps, then {measured} measured steps");
Console.WriteLine("completions | bytes/step (median) | bytes/step (mean) | gen0 | gen1 | gen2 | ms/step (median)");
foreach (int prompts in new[] { 1, 4 })
{
    var options = new AllocationPipelineOptions { PromptsPerStep = prompts, Steps = warmup + measured, LogEvery = 1000 };
    using var trainer = new AllocationPipeline.Trainer(Options.Create(options));
    trainer.Setup();
    var bytes = new List<long>();
    var millis = new List<double>();
    int gen0 = 0, gen1 = 0, gen2 = 0, step = 0;
    long before = 0, started = 0;
    await using var steps = trainer.TrainAsync(CancellationToken.None).GetAsyncEnumerator();
    while (true)
    {
        if (step == warmup)
        {
            gen0 = GC.CollectionCount(0);
            gen1 = GC.CollectionCount(1);
            gen2 = GC.CollectionCount(2);
        }

        before = GC.GetTotalAllocatedBytes(precise: true);
        started = Stopwatch.GetTimestamp();
        if (!await steps.MoveNextAsync()) break;
        long after = GC.GetTotalAllocatedBytes(precise: true);
        if (step >= warmup)
        {
            bytes.Add(after - before);
            millis.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        step++;
    }

    bytes.Sort();
    millis.Sort();
    Console.WriteLine($"{prompts * options.GroupSize,11} | {bytes[bytes.Count / 2],19:N0} | {bytes.Average(),17:N0} | {GC.CollectionCount(0) - gen0,4} | {GC.CollectionCount(1) - gen1,4} | {GC.CollectionCount(2) - gen2,4} | {millis[millis.Count / 2],16:F1}");
}
