using System.Globalization;
using Rft.Models;
using Rft.Rollout;
using Rft.Text;
using Rft.Training;
using Rft.Training.Forward;
using static TorchSharp.torch;

namespace Rft.Bench;

/// <summary>
/// Where a GRPO step's managed bytes go: each part of the step measured alone (rollout, no-grad forward, training forward
/// and backward, optimizer step), and what one TorchSharp call allocates. Usage:
/// <c>dotnet run -c Release --project bench/Rft.Bench -- breakdown</c>.
/// </summary>
internal static class BreakdownBench
{
    public static int Run(string[] args)
    {
        RftRuntime.EnsureNativeLibrary();
        int threads = BenchOptions.Int(args, "--threads", 2);
        set_num_threads(threads);
        var tokenizer = new CharTokenizer(new string(Enumerable.Range(0x100, 204).Select(c => (char)c).ToArray()));
        using var model = LlamaForCausalLM.Create(ModelPresets.Get("tiny", tokenizer.VocabSize, 80), seed: 1);
        using var sampler = new Sampler(model, tokenizer, 32, 10, 64);
        using var optimizer = new PolicyOptimizer(model, new OptimizerSettings(1e-5, 0, 1.0, 0, 1000, 1));
        var prompts = new PromptBatch(32, 10);
        var generator = new Generator(1);
        Console.WriteLine($"managed bytes and time per call (median of 20 after 5 warm-up calls); preset tiny, 207-token vocabulary, {get_num_threads()} threads");
        foreach (var (count, tokens) in new[] { (1, 6), (4, 6), (1, 64), (4, 64) })
        {
            Measure($"rollout, {count * 8} completions x {tokens} tokens", () =>
            {
                prompts.Clear();
                for (int i = 0; i < count; i++) prompts.Add(new string((char)(0x100 + i), 9), tokenizer);
                sampler.Generate(prompts, 8, new SamplingSettings(tokens, 1, 1), generator);
            });
        }

        prompts.Clear();
        for (int i = 0; i < 4; i++) prompts.Add(new string((char)(0x100 + i), 9), tokenizer);
        var rollout = sampler.Generate(prompts, 8, new SamplingSettings(64, 1, 1), generator);
        var rows = SequenceRows.Of(rollout);
        Measure("log-probs without gradients (32 x 74)", () =>
        {
            using var scope = NewDisposeScope();
            PolicyForward.LogProbsWithoutGrad(model, rows, 1.0, 0);
        });
        Measure("log-probs + mean + backward (32 x 74)", () =>
        {
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            var (logProbs, _) = PolicyForward.LogProbs(model, rows, 1.0, withEntropy: false);
            (logProbs * rollout.CompletionMask).sum().backward();
        });
        Measure("optimizer step (clip + AdamW)", () => optimizer.Step(1));
        Measure("optimizer zero_grad", optimizer.ZeroGrad);

        using var a = randn(4, 4);
        using var b = randn(4, 4);
        Measure("one a + b (inside a scope)", () => { using var s = NewDisposeScope(); _ = a + b; }, repeat: 1000);
        Measure("one a.add_(b)", () => a.add_(b), repeat: 1000);
        Measure("one a.mul_(2.0)", () => a.mul_(2.0), repeat: 1000);
        Measure("one a.narrow(0, 0, 2) (inside a scope)", () => { using var s = NewDisposeScope(); _ = a.narrow(0, 0, 2); }, repeat: 1000);
        Measure("one empty NewDisposeScope()", () => { using var s = NewDisposeScope(); }, repeat: 1000);
        Measure("one a.shape", () => _ = a.shape, repeat: 1000);
        return 0;
    }

    private static void Measure(string what, Action action, int repeat = 1)
    {
        for (int i = 0; i < 5; i++) action();
        var bytes = new List<double>();
        var millis = new List<double>();
        var cpu = new List<double>();
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        for (int i = 0; i < 20; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            self.Refresh();
            var cpuStarted = self.TotalProcessorTime;
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int r = 0; r < repeat; r++) action();
            millis.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds / repeat);
            self.Refresh();
            cpu.Add((self.TotalProcessorTime - cpuStarted).TotalMilliseconds / repeat);
            bytes.Add((double)(GC.GetAllocatedBytesForCurrentThread() - before) / repeat);
        }

        bytes.Sort();
        millis.Sort();
        cpu.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-45} {bytes[bytes.Count / 2],10:N0} bytes {millis[millis.Count / 2],10:F3} ms {cpu[cpu.Count / 2],10:F3} CPU ms"));
    }
}
