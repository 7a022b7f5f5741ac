using System.Diagnostics;
using System.Globalization;
using Rft.Algorithms;
using static TorchSharp.torch;

namespace Rft.Bench;

/// <summary>
/// Peak memory and time of the fused log-prob (<see cref="FusedLogProbs"/>) forward + backward against the unfused
/// <c>log_softmax(h Wᵀ)</c> (<see cref="TokenLogProbs.Unfused"/>), float32 on the CPU.
/// Usage: <c>dotnet run -c Release --project bench/Rft.Bench -- fused [--dim 512] [--reps 3] [--chunk-elements 4194304] [--entropy]</c>.
/// </summary>
/// <remarks>
/// Peak resident memory is process-wide and only grows, so each measurement runs in a child process of its own (this
/// executable, re-invoked with <c>--child</c>). A memory child runs the variant once on tiny inputs (so code loading and
/// JIT are not counted), allocates the real inputs, reads its resident set size (<c>VmRSS</c>), runs one forward +
/// backward and reads the high-water mark (<c>VmHWM</c>); the difference is what the log-prob and its backward needed at
/// their peak, the inputs' gradients included (the same for both variants). It runs with glibc's
/// <c>MALLOC_MMAP_THRESHOLD_=65536</c>, so freed tensors go back to the system and the resident set tracks live tensors,
/// not allocator caches. A separate timing child, with the default allocator, runs one warm-up and the timed repetitions.
/// </remarks>
internal static class FusedLogProbBench
{
    private const long Rows = 8, Length = 512, Vocabulary = 32_000;

    public static int Run(string[] args)
    {
        int dim = IntOption(args, "--dim", 512), reps = IntOption(args, "--reps", 3);
        long chunkElements = IntOption(args, "--chunk-elements", (int)FusedLogProbs.DefaultChunkElements);
        bool entropy = args.Contains("--entropy");
        int child = Array.IndexOf(args, "--child");
        if (child >= 0) return args[child + 2] == "memory"
            ? RunMemoryChild(args[child + 1], dim, chunkElements, entropy)
            : RunTimingChild(args[child + 1], dim, reps, chunkElements, entropy);

        double logitsMiB = Rows * Length * Vocabulary * 4.0 / (1 << 20);
        Console.WriteLine($"Fused vs unfused log-prob of sampled tokens + backward, float32, CPU ({Environment.ProcessorCount} cores, {get_num_threads()} torch threads)");
        Console.WriteLine($"N = {Rows} rows, T = {Length} positions, V = {Vocabulary:N0}, D = {dim} (hidden size), entropy {(entropy ? "on" : "off")}; " +
            $"fused chunks of at most {chunkElements:N0} logits ({Math.Max(1, chunkElements / (Rows * Vocabulary))} positions); one [N, T, V] float32 tensor = {logitsMiB:N0} MiB");
        Console.WriteLine($"Time: a child process per variant, 1 warm-up, then {reps} timed forward + backward passes (wall median and min, CPU median).");
        Console.WriteLine("Peak memory: another child per variant (JIT warmed on tiny inputs first) runs one forward + backward; peak extra =");
        Console.WriteLine("VmHWM (peak resident set) at the end minus VmRSS once the inputs exist. It includes the inputs' gradients (hidden");
        Console.WriteLine("[N, T, D], weight [V, D]), which both variants produce. MALLOC_MMAP_THRESHOLD_=65536 in that child makes freed");
        Console.WriteLine("tensors leave the resident set, so it tracks live tensors rather than glibc's caches.");
        Console.WriteLine();

        var unfused = Spawn("unfused", args);
        var fused = Spawn("fused", args);
        if (unfused is null || fused is null) return 1;
        Console.WriteLine("variant | baseline RSS MiB | peak extra MiB | median ms | min ms | median CPU ms | sum of log-probs | |dloss/dW| (sanity: equal)");
        Console.WriteLine(unfused.Format());
        Console.WriteLine(fused.Format());
        Console.WriteLine();
        Console.WriteLine($"fused / unfused: peak memory {fused.PeakMiB / unfused.PeakMiB:F3}x (target <= 0.25x), median wall time {fused.MedianMs / unfused.MedianMs:F3}x, " +
            $"median CPU time {fused.CpuMs / unfused.CpuMs:F3}x (target <= 1.2x)");
        Console.WriteLine("(CPU time = user + system time of all the child's threads; on a shared machine it is steadier than wall time.)");
        return 0;
    }

    private static int RunMemoryChild(string variant, int dim, long chunkElements, bool entropy)
    {
        var (tinyHidden, tinyWeight, tinyTargets, tinyAdvantages) = Inputs(2, 8, 16, 100);
        Pass(variant, tinyHidden, tinyWeight, tinyTargets, tinyAdvantages, 2 * 100 * 4, entropy);

        var (hidden, weight, targets, advantages) = Inputs(Rows, Length, dim, Vocabulary);
        double baseline = StatusMiB("VmRSS");
        Pass(variant, hidden, weight, targets, advantages, chunkElements, entropy);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MEMORY {baseline} {StatusMiB("VmHWM") - baseline}"));
        return 0;
    }

    private static int RunTimingChild(string variant, int dim, int reps, long chunkElements, bool entropy)
    {
        var (hidden, weight, targets, advantages) = Inputs(Rows, Length, dim, Vocabulary);
        var times = new List<double>();
        var cpuTimes = new List<double>();
        double logProbSum = 0;
        using var self = Process.GetCurrentProcess();
        for (int i = 0; i <= reps; i++)
        {
            self.Refresh();
            var cpuStarted = self.TotalProcessorTime;
            long started = Stopwatch.GetTimestamp();
            logProbSum = Pass(variant, hidden, weight, targets, advantages, chunkElements, entropy);
            double wall = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            self.Refresh();
            if (i > 0)
            {
                times.Add(wall);
                cpuTimes.Add((self.TotalProcessorTime - cpuStarted).TotalMilliseconds);
            }
        }

        double weightGradNorm = weight.grad!.norm().item<float>();
        times.Sort();
        cpuTimes.Sort();
        // Both children draw the same inputs, so the sums and norms printed side by side should agree.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"TIME {times[times.Count / 2]} {times[0]} {cpuTimes[cpuTimes.Count / 2]} {logProbSum} {weightGradNorm}"));
        return 0;
    }

    private static (Tensor Hidden, Tensor Weight, Tensor Targets, Tensor Advantages) Inputs(long rows, long length, long dim, long vocabulary)
    {
        var generator = new TorchSharp.torch.Generator(17);
        var hidden = randn(new[] { rows, length, dim }, generator: generator).requires_grad_();
        var weight = (randn(new[] { vocabulary, dim }, generator: generator) * 0.05).requires_grad_();
        var targets = randint(0, vocabulary, new[] { rows, length }, generator: generator);
        var advantages = randn(new[] { rows, length }, generator: generator);
        return (hidden, weight, targets, advantages);
    }

    /// <summary>One forward + backward of a policy-gradient-shaped loss, into zeroed gradients.</summary>
    /// <returns>The sum of the log-probs, as a check that both variants compute the same thing.</returns>
    private static double Pass(string variant, Tensor hidden, Tensor weight, Tensor targets, Tensor advantages, long chunkElements, bool entropy)
    {
        hidden.grad?.zero_();
        weight.grad?.zero_();
        double logProbSum;
        using (var scope = NewDisposeScope())
        {
            var (logProbs, entropies) = variant == "fused"
                ? FusedLogProbs.Compute(hidden, weight, targets, 1.0, entropy, chunkElements)
                : TokenLogProbs.Unfused(hidden, weight, targets, 1.0, entropy);
            var loss = -(logProbs * advantages).mean();
            if (entropies is not null) loss = loss - 0.01 * entropies.mean();
            loss.backward();
            logProbSum = logProbs.detach().to_type(float64).sum().item<double>();
        }

        return logProbSum;
    }

    private static Measurement? Spawn(string variant, string[] args)
    {
        var memory = RunChild(variant, "memory", args);
        var time = memory is null ? null : RunChild(variant, "time", args);
        if (memory is null || time is null) return null;
        double Parse(string[] f, int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        return new Measurement(variant, Parse(memory, 1), Parse(memory, 2), Parse(time, 1), Parse(time, 2), Parse(time, 3), Parse(time, 4), Parse(time, 5));
    }

    private static string[]? RunChild(string variant, string kind, string[] args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        // Under `dotnet Rft.Bench.dll` the process path is the host; pass the assembly too.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(FusedLogProbBench).Assembly.Location);
        start.ArgumentList.Add("fused");
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("--child");
        start.ArgumentList.Add(variant);
        start.ArgumentList.Add(kind);
        if (kind == "memory") start.Environment["MALLOC_MMAP_THRESHOLD_"] = "65536";
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string tag = kind == "memory" ? "MEMORY " : "TIME ";
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(tag, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            Console.Error.WriteLine($"The {variant} {kind} child failed (exit code {process.ExitCode}):\n{output}");
            return null;
        }

        return line.Split(' ');
    }

    private static double StatusMiB(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private sealed record Measurement(string Variant, double BaselineMiB, double PeakMiB, double MedianMs, double MinMs, double CpuMs, double LogProbSum, double WeightGradNorm)
    {
        public string Format() => string.Create(CultureInfo.InvariantCulture,
            $"{Variant,7} | {BaselineMiB,16:F0} | {PeakMiB,14:F0} | {MedianMs,9:F0} | {MinMs,6:F0} | {CpuMs,13:F0} | {LogProbSum,16:F3} | {WeightGradNorm:G6}");
    }
}
