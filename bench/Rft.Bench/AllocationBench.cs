using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Rft.Training;

namespace Rft.Bench;

/// <summary>
/// Managed bytes allocated per steady-state GRPO step of <see cref="AllocationPipeline"/>, at 6 and 64 new tokens x 8 and
/// 32 completions, and the garbage collections during the measured steps. With <c>--long N</c>, one run of N steps
/// (<c>--tokens</c> 64 new tokens x <c>--prompts</c> 1 prompt of 8 completions) reports gen-2 collections over every step
/// after the warm-up and the resident set at step 100 and at step N, with where it goes every 100 steps (the managed heap,
/// malloc's bytes in use and free, the managed tensors alive). <c>--no-collect</c> turns off the trainer's gen-0 collection
/// every 32 steps (<see cref="NativeGarbage"/>), to show what it is for.
/// Usage: <c>dotnet run -c Release --project bench/Rft.Bench -- [alloc] [--warmup 10] [--steps 50] [--long 1000 [--tokens 64] [--prompts 1] [--no-collect]]</c>.
/// </summary>
internal static class AllocationBench
{
    public static async Task<int> Run(string[] args)
    {
        int warmup = BenchOptions.Int(args, "--warmup", 10), measured = BenchOptions.Int(args, "--steps", 50), longRun = BenchOptions.Int(args, "--long", 0);
        NativeGarbage.Enabled = !args.Contains("--no-collect");
        if (longRun > 0) return await RunLong(warmup, longRun, BenchOptions.Int(args, "--tokens", 64), BenchOptions.Int(args, "--prompts", 1));

        Console.WriteLine($"GRPO step of AllocationPipeline (preset tiny, 207-character vocabulary); {warmup} warm-up steps, then {measured} measured steps");
        Console.WriteLine("new tokens | completions | bytes/step (median) | bytes/step (mean) | min | max | gen0 | gen1 | gen2 | ms/step (median) | tokens generated/step");
        var medians = new List<long>();
        foreach (int tokens in new[] { 6, 64 })
        {
            foreach (int prompts in new[] { 1, 4 })
            {
                var run = await Measure(tokens, prompts, warmup, measured);
                medians.Add(run.Bytes[run.Bytes.Count / 2]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{tokens,10} | {prompts * 8,11} | {run.Bytes[run.Bytes.Count / 2],19:N0} | {run.Bytes.Average(),17:N0} | {run.Bytes[0],7:N0} | {run.Bytes[^1],7:N0} | {run.Gen0,4} | {run.Gen1,4} | {run.Gen2,4} | {run.Millis[run.Millis.Count / 2],16:F1} | {run.Tokens.Average(),8:F0}"));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"largest / smallest median: {(double)medians.Max() / medians.Min():F3} (target <= 1.10); largest median {medians.Max():N0} bytes (target <= 65,536)"));
        return 0;
    }

    private static async Task<int> RunLong(int warmup, int steps, int tokens, int prompts)
    {
        Console.WriteLine($"GRPO step of AllocationPipeline, {tokens} new tokens x {prompts * 8} completions, {steps} steps ({warmup} warm-up); " +
            $"gen-0 collection every {NativeGarbage.Interval} steps {(NativeGarbage.Enabled ? "on" : "off (--no-collect)")}");
        var options = new AllocationPipelineOptions { PromptsPerStep = prompts, MaxNewTokens = tokens, Steps = steps, LogEvery = 1_000_000 };
        using var trainer = new AllocationPipeline.Trainer(Options.Create(options));
        trainer.Setup();
        int gen0 = 0, gen1 = 0, gen2 = 0, step = 0;
        double rssAt100 = double.NaN, rssAtEnd = double.NaN;
        var bytes = new List<long>();
        await using var enumerator = trainer.TrainAsync(CancellationToken.None).GetAsyncEnumerator();
        while (true)
        {
            if (step == warmup) (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            long before = GC.GetTotalAllocatedBytes(precise: true);
            if (!await enumerator.MoveNextAsync()) break;
            long after = GC.GetTotalAllocatedBytes(precise: true);
            step++;
            if (step > warmup) bytes.Add(after - before);
            if (step == 100) rssAt100 = ResidentMiB();
            if (step == steps) rssAtEnd = ResidentMiB();
            if (step % 100 == 0)
            {
                var heap = NativeHeap.Read();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {step}: resident {ResidentMiB():F1} MiB (managed heap committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:F1} MiB, " +
                    $"malloc in use {heap.InUse / 1048576.0:F1} MiB + free in arenas {heap.Free / 1048576.0:F1} MiB, {TorchSharp.torch.Tensor.TotalCount} managed tensors alive), gen0/gen1/gen2 collections since warm-up " +
                    $"{GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}"));
            }
        }

        bytes.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gen-2 collections over steps {warmup + 1}-{steps}: {GC.CollectionCount(2) - gen2}; resident set at step 100 {rssAt100:F1} MiB, at step {steps} {rssAtEnd:F1} MiB " +
            $"({(rssAtEnd / rssAt100 - 1) * 100:+0.00;-0.00}%, target within 2%); bytes/step median {bytes[bytes.Count / 2]:N0}, max {bytes[^1]:N0}"));
        return 0;
    }

    private sealed record Measurement(List<long> Bytes, List<double> Millis, List<double> Tokens, int Gen0, int Gen1, int Gen2);

    private static async Task<Measurement> Measure(int tokens, int prompts, int warmup, int measured)
    {
        var options = new AllocationPipelineOptions { PromptsPerStep = prompts, MaxNewTokens = tokens, Steps = warmup + measured, LogEvery = 1_000_000 };
        using var trainer = new AllocationPipeline.Trainer(Options.Create(options));
        trainer.Setup();
        var bytes = new List<long>(measured);
        var millis = new List<double>(measured);
        var generated = new List<double>(measured);
        int gen0 = 0, gen1 = 0, gen2 = 0, step = 0;
        await using var steps = trainer.TrainAsync(CancellationToken.None).GetAsyncEnumerator();
        while (true)
        {
            if (step == warmup)
            {
                gen0 = GC.CollectionCount(0);
                gen1 = GC.CollectionCount(1);
                gen2 = GC.CollectionCount(2);
            }

            long before = GC.GetTotalAllocatedBytes(precise: true);
            long started = Stopwatch.GetTimestamp();
            if (!await steps.MoveNextAsync()) break;
            long after = GC.GetTotalAllocatedBytes(precise: true);
            if (step >= warmup)
            {
                bytes.Add(after - before);
                millis.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                generated.Add(steps.Current.RolloutTokens);
            }

            step++;
        }

        bytes.Sort();
        millis.Sort();
        return new Measurement(bytes, millis, generated, GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2);
    }

    private static double ResidentMiB()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
    }
}
