using System.CommandLine;
using Rft.Hosting.Commands;

namespace Rft.Hosting.Sampling;

/// <summary>The <c>sample</c> verb's command line: <c>sample [--model &lt;path&gt;] --prompt "&lt;text&gt;" [--count N] ...</c>.</summary>
internal sealed class SampleVerb
{
    private readonly Option<string?> _model = VerbOptions.Path(
        "--model", "A Hugging Face directory, an Rft checkpoint folder or a llama2.c .bin file (default: the newest run's checkpoint under Rft:RunDirectory).");

    private readonly Option<string> _prompt = new("--prompt")
    {
        Description = "The text to continue.",
        HelpName = "text",
        Required = true,
    };

    private readonly Option<int> _count = VerbOptions.Integer("--count", "Completions to draw.", defaultValue: 1, minimum: 1);

    private readonly Option<double> _temperature = VerbOptions.Number(
        "--temperature", "0 for greedy decoding, or a positive temperature.", 1.0, t => t >= 0 && !double.IsInfinity(t), "0 (greedy) or a positive number");

    private readonly Option<double> _topP = VerbOptions.Number("--top-p", "Nucleus mass in (0, 1].", 1.0, p => p > 0 && p <= 1, "a number in (0, 1]");

    private readonly Option<int?> _maxTokens = VerbOptions.OptionalInteger(
        "--max-tokens", $"New tokens per completion (default: as many as the model's context allows, at most {SampleCommand.DefaultMaxTokens}).", minimum: 1);

    private readonly Option<long> _seed = VerbOptions.Long("--seed", "Seeds the sampler.", 0);

    private readonly Option<bool> _chat = new("--chat") { Description = "Render the prompt as a ChatML user turn (Hugging Face tokenizers)." };

    private readonly Option<string> _device = VerbOptions.Choice("--device", "Where to run the model.", "cpu", "cpu", "cuda");

    public SampleVerb()
    {
        Command = new Command("sample", "Draw completions of a prompt from a model and print one numbered line per completion.")
        {
            _model, _prompt, _count, _temperature, _topP, _maxTokens, _seed, _chat, _device,
        };
    }

    public Command Command { get; }

    public SampleOptions Bind(ParseResult result) => new(
        result.GetValue(_model),
        result.GetRequiredValue(_prompt),
        result.GetValue(_count),
        result.GetValue(_temperature),
        result.GetValue(_topP),
        result.GetValue(_maxTokens),
        result.GetValue(_seed),
        result.GetValue(_chat),
        result.GetValue(_device)!);
}
