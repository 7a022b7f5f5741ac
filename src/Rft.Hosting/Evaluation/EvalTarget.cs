namespace Rft.Hosting.Evaluation;

/// <summary>What the <c>eval</c> verb evaluates, resolved before the host is built.</summary>
/// <param name="Model">The policy path given to the trainer as <c>Rft:PolicyPath</c>; null when there is none (see <paramref name="Problem"/>).</param>
/// <param name="Problem">Why nothing can be evaluated, for the user; null when <paramref name="Model"/> is set.</param>
/// <param name="RunOptions">The options.json whose settings were applied, if any.</param>
/// <param name="Output">Where eval.json goes.</param>
internal sealed record EvalTarget(EvalOptions Options, string? Model, string? Problem, string? RunOptions, string Output);
