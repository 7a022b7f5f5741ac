using Rft.Models;
using Rft.Models.Formats;
using static TorchSharp.torch;

namespace Rft.ScaleBench;

/// <summary>
/// A random model of Qwen2.5-0.5B's shape (hidden 896, 24 layers, 14 heads, 2 KV heads, intermediate 4864, vocabulary
/// 151,936, tied embeddings, q/k/v biases) with Qwen's tokenizer from ../shared, trained for 3 GRPO steps of 2 prompts x 4
/// completions x 128 new tokens, micro-batch 2, gradient checkpointing, k3 KL: peak resident memory and seconds per step
/// in float32 and bfloat16, full fine-tuning and LoRA (rank 16 on every projection).
/// </summary>
internal static class QwenBench
{
    private static readonly string[] AllConfigs = ["fp32-full", "bf16-full", "fp32-lora", "bf16-lora"];

    public static int Run(string[] args)
    {
        int steps = BenchOptions.Int(args, "--steps", 3);
        var configs = BenchOptions.String(args, "--configs", string.Join(",", AllConfigs)).Split(',');
        string work = BenchOptions.String(args, "--work", Path.Combine(Path.GetTempPath(), "rft-qwen-shape"));
        string? tokenizer = FindSharedTokenizer();
        if (tokenizer is null)
        {
            Console.Error.WriteLine("../shared/tokenizers/qwen3 (Qwen's tokenizer.json) was not found beside the repository; run from the repository.");
            return 2;
        }

        string model = PrepareModel(work, tokenizer);
        Console.WriteLine($"Random Qwen2.5-0.5B-shaped model in {model} ({new FileInfo(Path.Combine(model, HuggingFaceCheckpoint.WeightsFile)).Length / 1e9:F2} GB of float32 weights).");
        Console.WriteLine($"{steps} GRPO steps of 2 prompts x 4 completions x 128 new tokens, micro-batch 2, gradient checkpointing, k3 KL (beta 0.04), CPU.");
        Console.WriteLine();
        Console.WriteLine("config    | parameters trained | setup peak MiB | RL peak MiB | s/step (each step)");
        foreach (var config in configs)
        {
            var (precision, lora) = config switch
            {
                "fp32-full" => ("Fp32", false),
                "bf16-full" => ("Bf16", false),
                "fp32-lora" => ("Fp32", true),
                "bf16-lora" => ("Bf16", true),
                _ => throw new ArgumentException($"--configs: unknown configuration '{config}'; valid: {string.Join(", ", AllConfigs)}."),
            };
            var result = ChildProcess.Run(
            [
                $"--Rft:PolicyPath={model}", "--Rft:PromptsPerStep=2", "--Rft:GroupSize=4", "--Rft:MaxNewTokens=128", "--Rft:MaxPromptTokens=16",
                "--Rft:MicroBatchSize=2", "--Rft:GradientCheckpointing=true", $"--Rft:Precision={precision}", $"--Rft:LoraEnabled={lora}",
                $"--Rft:Steps={steps}", "--Rft:TopP=1",
            ], TimeSpan.FromHours(3));
            if (result is not { } r)
            {
                Console.WriteLine($"{config,-9} | failed");
                continue;
            }

            var facts = r.GetProperty("facts");
            double trainable = facts.GetProperty("trainable_parameters").GetDouble();
            var seconds = r.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("seconds").GetDouble()).ToList();
            Console.WriteLine($"{config,-9} | {trainable,18:N0} | {ChildProcess.MiB(r.GetProperty("setup_peak_resident_bytes").GetInt64()),14:F0} | " +
                $"{ChildProcess.MiB(r.GetProperty("rl_peak_resident_bytes").GetInt64()),11:F0} | {string.Join(", ", seconds.Select(s => s.ToString("F0")))}");
        }

        return 0;
    }

    /// <summary>config.json and random weights of the shape (written once), with Qwen's tokenizer files linked beside them.</summary>
    private static string PrepareModel(string work, string tokenizerFolder)
    {
        string folder = Path.Combine(work, "qwen2.5-0.5b-shape");
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json" })
        {
            string link = Path.Combine(folder, file), target = Path.Combine(tokenizerFolder, file);
            if (!File.Exists(link) && File.Exists(target)) File.CreateSymbolicLink(link, target);
        }

        if (File.Exists(Path.Combine(folder, HuggingFaceCheckpoint.WeightsFile))) return folder;
        var config = new LlamaConfig(151936, HiddenSize: 896, IntermediateSize: 4864, NumLayers: 24, NumHeads: 14, NumKvHeads: 2,
            MaxPositions: 32768, RopeTheta: 1_000_000, RmsNormEps: 1e-6, TieWordEmbeddings: true) { QkvBias = true };
        Console.WriteLine("Writing the random model (once)...");
        using var model = LlamaForCausalLM.Create(config, seed: 2026);
        HuggingFaceCheckpoint.Save(model, folder);
        return folder;
    }

    private static string? FindSharedTokenizer()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (!File.Exists(Path.Combine(directory.FullName, "Dsl.sln"))) continue;
            string folder = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "tokenizers", "qwen3"));
            return File.Exists(Path.Combine(folder, "tokenizer.json")) ? folder : null;
        }

        return null;
    }
}
