using System.Globalization;

namespace Rft.Hosting.Sampling;

/// <summary>
/// Parses <c>sample --model &lt;path&gt; --prompt "&lt;text&gt;" [--count N] [--temperature T] [--top-p P]
/// [--max-tokens M] [--seed S] [--chat] [--device cpu|cuda]</c>; flags take their value as the next argument or after
/// <c>=</c>. Host configuration (<c>--Rft:RunDirectory=...</c>) is passed through to the host and skipped here.
/// </summary>
internal static class SampleArguments
{
    public const string Usage =
        "usage: sample [--model <path>] --prompt \"<text>\" [--count N] [--temperature T] [--top-p P] [--max-tokens M] [--seed S] [--chat] [--device cpu|cuda]\n" +
        "  --model        a Hugging Face directory, an Rft checkpoint folder or a llama2.c .bin file (default: the newest run's checkpoint)\n" +
        "  --prompt       the text to continue (required)\n" +
        "  --count        completions to draw, an integer >= 1 (default 1)\n" +
        "  --temperature  0 for greedy, or a positive number (default 1)\n" +
        "  --top-p        nucleus mass in (0, 1] (default 1)\n" +
        "  --max-tokens   new tokens per completion, an integer >= 1 (default: as many as the model's context allows, at most 256)\n" +
        "  --seed         an integer seeding the sampler (default 0)\n" +
        "  --chat         render the prompt as a user turn with the model's chat template (ChatML when it has none)\n" +
        "  --device       cpu or cuda (default cpu)";

    /// <summary>Whether the arguments ask for the usage text (<c>--help</c>, <c>-h</c>).</summary>
    public static bool WantsHelp(IReadOnlyList<string> args) => args.Any(a => a is "--help" or "-h" or "-?");

    /// <summary>The options, or null with <paramref name="error"/> naming the flag at fault and its valid values.</summary>
    public static SampleOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        string? model = null, prompt = null, device = "cpu";
        int count = 1;
        int? maxTokens = null;
        double temperature = 1, topP = 1;
        long seed = 0;
        bool chat = false;
        error = null;

        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg.StartsWith("--Rft:", StringComparison.OrdinalIgnoreCase) || arg.StartsWith("/Rft:", StringComparison.OrdinalIgnoreCase))
            {
                if (!arg.Contains('=')) i++;        // "--Rft:Key value"
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"sample: unexpected argument \"{arg}\"; flags start with -- (the prompt goes after --prompt).";
                return null;
            }

            string name = arg, value;
            int equals = arg.IndexOf('=');
            bool inline = equals > 0;
            if (inline) name = arg[..equals];
            if (name == "--chat")
            {
                if (inline)
                {
                    error = $"sample: --chat takes no value (got \"{arg}\").";
                    return null;
                }

                chat = true;
                continue;
            }

            if (name is not ("--model" or "--prompt" or "--count" or "--temperature" or "--top-p" or "--max-tokens" or "--seed" or "--device"))
            {
                error = $"sample: unknown flag {name}; valid flags: --model, --prompt, --count, --temperature, --top-p, --max-tokens, --seed, --chat, --device.";
                return null;
            }

            if (inline)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                error = $"sample: {name} needs a value.";
                return null;
            }

            switch (name)
            {
                case "--model":
                    if (string.IsNullOrWhiteSpace(value)) return Fail(out error, "sample: --model needs a path.");
                    model = value;
                    break;
                case "--prompt":
                    prompt = value;
                    break;
                case "--count":
                    if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out count) || count < 1)
                        return Fail(out error, $"sample: --count \"{value}\" must be an integer >= 1.");
                    break;
                case "--temperature":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out temperature) || !(temperature >= 0) || double.IsInfinity(temperature))
                        return Fail(out error, $"sample: --temperature \"{value}\" must be 0 (greedy) or a positive number.");
                    break;
                case "--top-p":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out topP) || !(topP > 0 && topP <= 1))
                        return Fail(out error, $"sample: --top-p \"{value}\" must be a number in (0, 1].");
                    break;
                case "--max-tokens":
                    if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int m) || m < 1)
                        return Fail(out error, $"sample: --max-tokens \"{value}\" must be an integer >= 1.");
                    maxTokens = m;
                    break;
                case "--seed":
                    if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
                        return Fail(out error, $"sample: --seed \"{value}\" must be an integer.");
                    break;
                case "--device":
                    if (value is not ("cpu" or "cuda"))
                        return Fail(out error, $"sample: --device \"{value}\" is not supported; valid values: cpu, cuda.");
                    device = value;
                    break;
            }
        }

        if (prompt is null) return Fail(out error, "sample: --prompt is required (the text to continue).");
        return new SampleOptions(model, prompt, count, temperature, topP, maxTokens, seed, chat, device);
    }

    private static SampleOptions? Fail(out string? error, string message)
    {
        error = message;
        return null;
    }
}
