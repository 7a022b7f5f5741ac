using System.Globalization;

namespace Rft.ScaleBench;

/// <summary>
/// Peak resident memory of RL steps at 8, 32 and 128 completions per step with a fixed micro-batch: what grows beyond the
/// weights (and the buffers allocated at setup) must stay within 10% from 8 to 128. The rollout decodes <c>--decode-rows</c>
/// completions at once (Rft:DecodeRows, 8 by default; 0 decodes a step's completions together, whose KV cache then grows
/// with them). Each size runs until it has updated on the same number of micro-batches (<c>--micro-batches</c>, 48 by
/// default: 48 steps at 8 completions, 3 at 128): the resident peak of a step keeps creeping up over a run's first
/// micro-batches (every size shows it), so comparing one step at 8 with one step at 128 would measure that creep, not
/// the batch.
/// </summary>
internal static class MemoryBench
{
    public static int Run(string[] args)
    {
        int micro = BenchOptions.Int(args, "--micro", 8), decodeRows = BenchOptions.Int(args, "--decode-rows", 8), newTokens = BenchOptions.Int(args, "--new-tokens", 32), microBatches = BenchOptions.Int(args, "--micro-batches", 48);
        Console.WriteLine($"RL steps of preset small (6 layers, width 256) with a k3 KL reference, GRPO groups of 8, {newTokens} new tokens,");
        Console.WriteLine($"micro-batch {micro}, decoding {(decodeRows == 0 ? "all of a step's completions" : decodeRows.ToString(CultureInfo.InvariantCulture))} at once, each size run for {microBatches} micro-batches in all, float32, CPU; each size in its own process (MALLOC_MMAP_THRESHOLD_=65536).");
        Console.WriteLine("growth = RL peak - resident after setup (weights, reference, KV cache, buffers): AdamW's moments, the step's tensors.");
        Console.WriteLine();
        Console.WriteLine("completions | steps | after setup MiB | RL peak MiB | growth MiB | growth / growth at 8 | s/step (median)");
        double? first = null;
        double last = double.NaN;
        foreach (int prompts in new[] { 1, 4, 16 })
        {
            int steps = Math.Max(1, microBatches * micro / (prompts * 8));
            var result = ChildProcess.Run(
            [
                $"--Rft:PromptsPerStep={prompts}", "--Rft:GroupSize=8", $"--Rft:MicroBatchSize={micro}", $"--Rft:MaxNewTokens={newTokens}",
                $"--Rft:Steps={steps}", $"--Rft:DecodeRows={decodeRows}",
            ], TimeSpan.FromMinutes(60));
            if (result is not { } r) return 1;
            double setup = ChildProcess.MiB(r.GetProperty("resident_bytes_after_setup").GetInt64());
            double peak = ChildProcess.MiB(r.GetProperty("rl_peak_resident_bytes").GetInt64());
            double growth = peak - setup;
            first ??= growth;
            last = growth / first.Value;
            var seconds = r.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("seconds").GetDouble()).Order().ToList();
            Console.WriteLine($"{prompts * 8,11} | {steps,5} | {setup,14:F1} | {peak,11:F1} | {growth,10:F1} | {growth / first.Value,20:F3} | {seconds[seconds.Count / 2],15:F2}");
        }

        Console.WriteLine();
        Console.WriteLine(last <= 1.10
            ? $"growth from 8 to 128 completions: {(last - 1) * 100:F1}% (target: at most 10%)"
            : $"growth from 8 to 128 completions: {(last - 1) * 100:F1}% — ABOVE the 10% target");
        return 0;
    }
}
