using System.Text;
using Rft.Models;
using Rft.Rollout;
using Rft.Text;
using Rft.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Hosting.Sampling;

/// <summary>
/// The <c>sample</c> verb: loads a policy (a path, or the newest run's checkpoint), renders the prompt, draws
/// completions with the <see cref="Sampler"/> from a seeded generator, and prints each on its own numbered line.
/// </summary>
internal static class SampleCommand
{
    /// <summary>New tokens drawn when --max-tokens is not given and the context allows more.</summary>
    public const int DefaultMaxTokens = 256;

    /// <summary>Exit codes: 0 sampled, 1 the model could not be loaded or sampled, 2 a flag is invalid.</summary>
    public static int Run(SampleOptions options, string runRoot, RftConsole console)
    {
        string? path = options.Model ?? NewestCheckpoint(runRoot);
        if (path is null)
        {
            console.Error.WriteLine(
                $"sample: no --model given and no checkpoint under the run root {Path.GetFullPath(runRoot)} (set by Rft:RunDirectory); train first, or pass --model <path>.");
            return TrainingOutcome.InvalidOptions;
        }

        if (!File.Exists(path) && !Directory.Exists(path))
        {
            console.Error.WriteLine($"sample: --model {Path.GetFullPath(path)} does not exist; pass a Hugging Face directory, an Rft checkpoint folder or a llama2.c .bin file.");
            return TrainingOutcome.InvalidOptions;
        }

        RftRuntime.EnsureNativeLibrary();
        Device? device = null;
        if (options.Device == "cuda")
        {
            if (!cuda.is_available())
            {
                console.Error.WriteLine("sample: --device cuda, but CUDA is not available to TorchSharp here (a CUDA build of libtorch is needed); use --device cpu.");
                return TrainingOutcome.InvalidOptions;
            }

            device = CUDA;
        }

        LoadedPolicy policy;
        try
        {
            policy = PolicyLoader.Load(path, ScalarType.Float32, maxPositions: 0, device);
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"sample: cannot load {path}: {e.Message}");
            return TrainingOutcome.TrainingFailed;
        }

        using (policy)
        {
            console.Error.WriteLine($"sample: loaded {policy.Source} ({policy.Format}): {policy.Report}");
            return Sample(policy, options, console);
        }
    }

    /// <summary>
    /// The checkpoint of the newest run under <paramref name="runRoot"/>: run folders hold a <c>checkpoint</c> folder when
    /// training ended and saved one, else the newest periodic checkpoint that <c>checkpoints/latest</c> names (a run
    /// still going, or killed); the most recently written wins. Null when there is none.
    /// </summary>
    public static string? NewestCheckpoint(string runRoot)
    {
        if (!Directory.Exists(runRoot)) return null;
        return Directory.EnumerateDirectories(runRoot)
            .Select(run => Checkpoint.IsCheckpoint(Path.Combine(run, CheckpointStore.FinalFolderName))
                ? Path.Combine(run, CheckpointStore.FinalFolderName)
                : CheckpointStore.LatestOf(run))
            .OfType<string>()
            .Where(Checkpoint.IsCheckpoint)
            .OrderByDescending(Directory.GetLastWriteTimeUtc)
            .ThenByDescending(c => c, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    private static int Sample(LoadedPolicy policy, SampleOptions options, RftConsole console)
    {
        var tokenizer = policy.Tokenizer;
        string prompt = options.Prompt;
        if (options.Chat)
        {
            if (tokenizer is not HuggingFaceTokenizer)
            {
                console.Error.WriteLine($"sample: --chat renders the model's chat template (ChatML when its tokenizer_config.json has none), which needs a Hugging Face tokenizer; this model's is a {tokenizer.GetType().Name}. Drop --chat.");
                return TrainingOutcome.InvalidOptions;
            }

            try
            {
                prompt = ChatTemplate.For(tokenizer).Render(prompt);
            }
            catch (Rft.Text.Jinja.JinjaException e)
            {
                console.Error.WriteLine($"sample: --chat: the chat template failed: {e.Message}");
                return TrainingOutcome.InvalidOptions;
            }
        }

        int positions = policy.Model.Config.MaxPositions;
        int promptTokens;
        try
        {
            promptTokens = (tokenizer.HasBosToken ? 1 : 0) + tokenizer.Encode(prompt, Span<int>.Empty);
        }
        catch (ArgumentException e)
        {
            console.Error.WriteLine($"sample: --prompt cannot be tokenized: {e.Message}");
            return TrainingOutcome.InvalidOptions;
        }

        int room = positions - promptTokens;
        int maxTokens = options.MaxTokens ?? Math.Min(DefaultMaxTokens, room);
        if (promptTokens < 1 || room < 1 || maxTokens > room)
        {
            console.Error.WriteLine(
                $"sample: the prompt takes {promptTokens} tokens and --max-tokens {maxTokens} more, but the model's context holds {positions} positions; shorten the prompt or lower --max-tokens.");
            return TrainingOutcome.InvalidOptions;
        }

        using var sampler = new Sampler(policy.Model, tokenizer, options.Count, promptTokens, maxTokens);
        var prompts = new PromptBatch(1, promptTokens);
        prompts.Add(prompt, tokenizer);
        var texts = new CompletionTexts(options.Count, maxTokens, tokenizer);
        using var generator = new Generator((ulong)options.Seed);
        policy.Model.eval();
        var batch = sampler.Generate(prompts, options.Count, new SamplingSettings(maxTokens, options.Temperature, options.TopP), generator);
        texts.Decode(batch);
        for (int row = 0; row < texts.Count; row++)
        {
            console.Out.WriteLine($"{row + 1}: {OneLine(texts[row].Text)}");
        }

        return TrainingOutcome.Success;
    }

    // A completion on one line: line breaks and tabs shown as \n, \r, \t; backslashes doubled so the text stays unambiguous.
    private static string OneLine(ReadOnlySpan<char> text)
    {
        var line = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            line.Append(c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", '\\' => "\\\\", _ => c.ToString() });
        }

        return line.ToString();
    }
}
