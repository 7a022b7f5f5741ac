using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Rft.Models;
using Rft.Text;
using Rft.Training;
using static TorchSharp.torch;

namespace Rft.Bench;

/// <summary>
/// One GRPO step of <see cref="SpeedPipeline"/> against the PyTorch eager reference (bench/pytorch/grpo_step.py) on the
/// same weights, shapes and algorithm, both with 2 threads (<c>--threads</c>), interleaved in one run so that a shared machine's load falls on
/// both alike. Usage: <c>dotnet run -c Release --project bench/Rft.Bench -- speed [--steps 10] [--warmup 3] [--rounds 2]
/// [--shapes tiny,small] [--threads 2] [--python /usr/bin/python3] [--out DIR] [--verbose]</c> (verbose: every step's timings).
/// </summary>
/// <remarks>
/// Each round runs, per shape, our trainer in this process (warm-up steps, then measured steps, timed by the step's own
/// phase timings) and the reference as a child process (its own warm-up and measured steps), alternating which goes
/// first. Medians are over every measured step of every round. The weights are random (seeded), written once per shape as
/// an Rft checkpoint (Hugging Face config.json + model.safetensors, a character tokenizer whose vocabulary is exactly the
/// shape's): random weights rarely emit the stop token, so every step decodes all 64 tokens on both sides.
/// </remarks>
internal static class SpeedBench
{
    private static readonly string[] Phases = ["timing/rollout_s", "timing/score_s", "timing/old_logprob_s", "timing/reference_s", "timing/update_s"];

    internal static readonly Dictionary<string, LlamaConfig> Shapes = new()
    {
        // llama2.c's stories260K shape (tied embeddings, as llama2.c shares the classifier).
        ["tiny"] = new LlamaConfig(512, HiddenSize: 64, IntermediateSize: 172, NumLayers: 5, NumHeads: 8, NumKvHeads: 4, MaxPositions: 128, TieWordEmbeddings: true),
        ["small"] = new LlamaConfig(4096, HiddenSize: 256, IntermediateSize: 688, NumLayers: 6, NumHeads: 8, NumKvHeads: 4, MaxPositions: 128),
    };

    private static bool Verbose;

    public static async Task<int> Run(string[] args)
    {
        Verbose = args.Contains("--verbose");
        int steps = BenchOptions.Int(args, "--steps", 10), warmup = BenchOptions.Int(args, "--warmup", 3), rounds = BenchOptions.Int(args, "--rounds", 2);
        int threads = BenchOptions.Int(args, "--threads", 2);
        var shapes = BenchOptions.String(args, "--shapes", "tiny,small").Split(',', StringSplitOptions.RemoveEmptyEntries);
        string python = BenchOptions.String(args, "--python", File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
        string script = BenchOptions.String(args, "--script", FindScript());
        string output = BenchOptions.String(args, "--out", Path.Combine(Path.GetTempPath(), "rft-speed-bench"));
        foreach (var shape in shapes)
        {
            if (!Shapes.ContainsKey(shape)) throw new ArgumentException($"--shapes: unknown shape \"{shape}\"; valid shapes are {string.Join(", ", Shapes.Keys)}.");
        }

        RftRuntime.EnsureNativeLibrary();
        set_num_threads(threads);
        Console.WriteLine($"GRPO step, ours (TorchSharp, libtorch) vs PyTorch eager ({python} {script}); {threads} threads each; {Environment.ProcessorCount} cores; " +
            $"{rounds} rounds x ({warmup} warm-up + {steps} measured steps) per side and shape, interleaved");
        Console.WriteLine("4 prompts x 8 completions, 32 prompt tokens, 64 new tokens, temperature 1, clipped surrogate, k3 KL (beta 0.04), AdamW, clip 1.0, fp32");
        Console.WriteLine($"load average at the start: {LoadAverage()}");

        var ours = shapes.ToDictionary(s => s, _ => new List<Dictionary<string, double>>());
        var theirs = shapes.ToDictionary(s => s, _ => new List<Dictionary<string, double>>());
        var folders = shapes.ToDictionary(s => s, s => WriteCheckpoint(Path.Combine(output, s), Shapes[s]));
        for (int round = 0; round < rounds; round++)
        {
            foreach (var shape in shapes)
            {
                for (int turn = 0; turn < 2; turn++)
                {
                    bool oursFirst = round % 2 == 0;
                    if ((turn == 0) == oursFirst) ours[shape].AddRange(await RunOurs(folders[shape], Shapes[shape], warmup, steps));
                    else theirs[shape].AddRange(RunReference(python, script, folders[shape], warmup, steps, threads));
                }

                Console.WriteLine($"round {round + 1}/{rounds} {shape}: ours {Median(ours[shape], "seconds"):F3} s, pytorch {Median(theirs[shape], "seconds"):F3} s (medians so far)");
            }
        }

        Console.WriteLine();
        Console.WriteLine("median seconds (tokens/s) over every measured step | step | rollout | score | old log-probs | reference | update | rollout tokens/s");
        foreach (var shape in shapes)
        {
            Console.WriteLine($"{shape,-5} ours    | {Row(ours[shape])}");
            Console.WriteLine($"{shape,-5} pytorch | {Row(theirs[shape])}");
            double ratio = Median(ours[shape], "seconds") / Median(theirs[shape], "seconds");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{shape,-5} ours / pytorch step time {ratio:F3} (target <= {(shape == "tiny" ? 0.5 : 0.7)}); rollout ours {Median(ours[shape], "rollout/tokens_per_s"):F0} tokens/s, " +
                $"pytorch {Median(theirs[shape], "rollout/tokens_per_s"):F0} tokens/s; {ours[shape].Count} + {theirs[shape].Count} steps"));
        }

        Console.WriteLine($"load average at the end: {LoadAverage()}");
        return 0;
    }

    // The machine's 1, 5 and 15 minute load averages: how much else ran beside the bench.
    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string Row(List<Dictionary<string, double>> steps) => string.Create(CultureInfo.InvariantCulture,
        $"{Median(steps, "seconds"),6:F3} | {string.Join(" | ", Phases.Select(p => Median(steps, p).ToString("F3", CultureInfo.InvariantCulture)))} | {Median(steps, "rollout/tokens_per_s"),8:F0}");

    /// <summary>Our trainer for the checkpoint: warm-up steps, then the measured steps' timings.</summary>
    private static async Task<List<Dictionary<string, double>>> RunOurs(string checkpoint, LlamaConfig config, int warmup, int steps)
    {
        SpeedPipeline.Alphabet = Alphabet(config);
        var options = new SpeedPipelineOptions { PolicyPath = checkpoint, Steps = warmup + steps, LogEvery = 1_000_000, RunDirectory = Path.GetTempPath() };
        using var trainer = new SpeedPipeline.Trainer(Options.Create(options));
        trainer.Setup();
        var measured = new List<Dictionary<string, double>>();
        await foreach (var report in trainer.TrainAsync(CancellationToken.None))
        {
            if (report.Step <= warmup) continue;
            var step = new Dictionary<string, double> { ["seconds"] = report.Seconds, ["rollout/tokens"] = report.RolloutTokens, ["rollout/tokens_per_s"] = report.RolloutTokensPerSecond };
            foreach (var (name, phase) in Phases.Zip(Enum.GetValues<StepPhase>())) step[name] = report.PhaseSeconds(phase);
            measured.Add(step);
            if (Verbose) Console.WriteLine("  ours " + string.Join(", ", step.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:F3}"))));
        }

        return measured;
    }

    /// <summary>The reference in a child process; one JSON object per measured step on its standard output.</summary>
    private static List<Dictionary<string, double>> RunReference(string python, string script, string checkpoint, int warmup, int steps, int threads)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { script, "--checkpoint", checkpoint, "--steps", steps.ToString(CultureInfo.InvariantCulture), "--warmup", warmup.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
        var errors = process.StandardError.ReadToEndAsync();
        var measured = new List<Dictionary<string, double>>();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            if (!json.RootElement.TryGetProperty("step", out _)) continue;
            var step = json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
            step["rollout/tokens_per_s"] = step["rollout/tokens"] / step["timing/rollout_s"];
            measured.Add(step);
            if (Verbose) Console.WriteLine("  pytorch " + string.Join(", ", step.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:F3}"))));
        }

        process.WaitForExit();
        if (process.ExitCode != 0 || measured.Count != steps)
            throw new InvalidOperationException($"The PyTorch reference failed (exit code {process.ExitCode}, {measured.Count} of {steps} steps):\n{errors.Result}");
        return measured;
    }

    /// <summary>Random weights of <paramref name="config"/> and a character tokenizer of exactly its vocabulary, as an Rft checkpoint.</summary>
    private static string WriteCheckpoint(string folder, LlamaConfig config)
    {
        var tokenizer = new CharTokenizer(Alphabet(config));
        if (tokenizer.VocabSize != config.VocabSize) throw new InvalidOperationException($"The bench tokenizer has {tokenizer.VocabSize} ids, not {config.VocabSize}.");
        using var model = LlamaForCausalLM.Create(config, seed: 1);
        Checkpoint.Save(folder, model, optimizer: null, tokenizer, new TrainerState("speed-bench", 1, 0, 0));
        return folder;
    }

    // Characters from U+0100 on, one per id after the tokenizer's three special ones: none of them special to JSON.
    internal static string Alphabet(LlamaConfig config) => new(Enumerable.Range(0x100, config.VocabSize - 3).Select(c => (char)c).ToArray());

    private static double Median(List<Dictionary<string, double>> steps, string key)
    {
        var values = steps.Select(s => s.TryGetValue(key, out var v) ? v : double.NaN).Where(double.IsFinite).Order().ToArray();
        return values.Length == 0 ? double.NaN : values[values.Length / 2];
    }

    private static string FindScript()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "bench", "pytorch", "grpo_step.py");
            if (File.Exists(candidate)) return candidate;
        }

        return Path.Combine("bench", "pytorch", "grpo_step.py");
    }
}
