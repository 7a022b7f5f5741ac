using System.CommandLine;
using Rft.Hosting.Commands;

namespace Rft.Hosting.Evaluation;

/// <summary>The <c>eval</c> verb's command line: <c>eval [--model &lt;path&gt;] [--k K] [--samples N] ...</c>.</summary>
internal sealed class EvalVerb
{
    private readonly Option<string?> _model = VerbOptions.Path(
        "--model", "The checkpoint to evaluate: an Rft checkpoint folder, a Hugging Face directory or a llama2.c .bin file (default: the newest run's checkpoint under Rft:RunDirectory).");

    private readonly Option<int> _k = VerbOptions.Integer("--k", "The k of pass@k.", defaultValue: 8, minimum: 1);

    private readonly Option<int?> _samples = VerbOptions.OptionalInteger(
        "--samples", "Completions sampled per problem, n >= k; pass@k is the unbiased estimate of Chen et al. 2021 from them (default: n = k).", minimum: 1);

    private readonly Option<double> _temperature = VerbOptions.Number(
        "--temperature", "Temperature of the sampled completions.", 1.0, t => t > 0 && !double.IsInfinity(t), "a positive number");

    private readonly Option<double> _topP = VerbOptions.Number("--top-p", "Nucleus mass of the sampled completions, in (0, 1].", 1.0, p => p > 0 && p <= 1, "a number in (0, 1]");

    private readonly Option<long> _seed = VerbOptions.Long("--seed", "Seeds the sampled completions.", 0);

    private readonly Option<string?> _output = VerbOptions.Path(
        "--output", "Where to write eval.json (default: the evaluated run's directory, else ./eval.json).");

    public EvalVerb()
    {
        Command = new Command(
            "eval",
            "Evaluate a checkpoint on the pipeline's held-out records: greedy accuracy, pass@k from sampled completions, " +
            "each reward's mean and the completion length; writes eval.json. The run's options.json applies, then --Rft:Key=value.")
        {
            _model, _k, _samples, _temperature, _topP, _seed, _output,
        };
        Command.Validators.Add(result =>
        {
            int k = result.GetValue(_k);
            if (result.GetValue(_samples) is { } n && n < k) result.AddError($"--samples {n} must be at least --k {k}.");
        });
    }

    public Command Command { get; }

    public EvalOptions Bind(ParseResult result) => new(
        result.GetValue(_model),
        result.GetValue(_k),
        result.GetValue(_samples),
        result.GetValue(_temperature),
        result.GetValue(_topP),
        result.GetValue(_seed),
        result.GetValue(_output));
}
