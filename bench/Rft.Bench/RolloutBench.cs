using System.Diagnostics;
using System.Globalization;
using Rft.Models;
using Rft.Rollout;
using Rft.Text;
using static TorchSharp.torch;

namespace Rft.Bench;

/// <summary>
/// The speed bench's rollout alone (<see cref="SpeedBench"/>'s shapes, 4 prompts x 8 completions, 32 prompt tokens, 64 new
/// tokens, temperature 1, random weights), decoded as one stream and as the sampler chooses on this machine
/// (<see cref="DecodeStreams"/>: one stream per intra-op thread on a CPU), alternating, with the same generator state for
/// both. Usage: <c>dotnet run -c Release --project bench/Rft.Bench -- rollout [--rounds 20] [--warmup 3] [--shapes tiny,small]
/// [--threads 2] [--streams 1|auto|both]</c> (<c>1</c> or <c>auto</c>: that variant alone, with no switching of thread
/// counts between rollouts).
/// </summary>
internal static class RolloutBench
{
    public static int Run(string[] args)
    {
        int rounds = BenchOptions.Int(args, "--rounds", 20), warmup = BenchOptions.Int(args, "--warmup", 3), threads = BenchOptions.Int(args, "--threads", 2);
        var shapes = BenchOptions.String(args, "--shapes", "tiny,small").Split(',', StringSplitOptions.RemoveEmptyEntries);
        string only = BenchOptions.String(args, "--streams", "both");
        if (only is not ("1" or "auto" or "both")) throw new ArgumentException($"--streams: \"{only}\" is not one of 1, auto, both.");
        RftRuntime.EnsureNativeLibrary();
        set_num_threads(threads);
        using var inference = inference_mode();
        Console.WriteLine($"rollout of 4 prompts x 8 completions, 32 prompt and 64 new tokens, temperature 1; {threads} threads; {warmup} warm-up + {rounds} measured rounds, alternating");
        Console.WriteLine("shape | streams | median ms | tokens/s | min ms");
        foreach (var shape in shapes)
        {
            var config = SpeedBench.Shapes.TryGetValue(shape, out var found) ? found
                : throw new ArgumentException($"--shapes: unknown shape \"{shape}\"; valid shapes are {string.Join(", ", SpeedBench.Shapes.Keys)}.");
            var tokenizer = new CharTokenizer(SpeedBench.Alphabet(config));
            using var model = LlamaForCausalLM.Create(config, seed: 1);
            using var sampler = new Sampler(model, tokenizer, 32, 32, 64);
            var prompts = new PromptBatch(4, 32);
            var random = new Random(1);
            for (int i = 0; i < 4; i++) prompts.AddTokens(Enumerable.Range(0, 32).Select(_ => random.Next(3, config.VocabSize)).ToArray());
            var settings = new SamplingSettings(64, 1.0, 1.0);
            int[] variants = only switch { "1" => [1], "auto" => [0], _ => [1, 0] };   // one stream; the sampler's choice
            var seconds = variants.ToDictionary(v => v, _ => new List<double>());
            long tokens = 0;
            int chosen = 0;
            for (int round = 0; round < warmup + rounds; round++)
            {
                foreach (int variant in variants)
                {
                    sampler.StreamsOverride = variant;
                    using var generator = new Generator((ulong)round);
                    using var scope = NewDisposeScope();
                    long started = Stopwatch.GetTimestamp();
                    var rollout = sampler.Generate(prompts, 8, settings, generator);
                    double elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    if (round < warmup) continue;
                    seconds[variant].Add(elapsed);
                    tokens = rollout.GeneratedTokens;
                    if (variant == 0) chosen = sampler.LastStreamCount;
                }
            }

            foreach (int variant in variants)
            {
                var sorted = seconds[variant].Order().ToArray();
                double median = sorted[sorted.Length / 2];
                string label = variant == 1 ? "1" : $"{chosen} (auto)";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{shape,-5} | {label,-8} | {median * 1000,9:F1} | {tokens / median,8:F0} | {sorted[0] * 1000,6:F1}"));
            }

            if (variants.Length < 2) continue;
            var one = seconds[1].Order().ToArray();
            var auto = seconds[0].Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{shape,-5} | auto / one stream: {auto[auto.Length / 2] / one[one.Length / 2]:F3}"));
        }

        return 0;
    }
}
