namespace Rft.Hosting.Evaluation;

/// <summary>The flags of the <c>eval</c> verb, parsed and checked.</summary>
/// <param name="Model">A policy path (<c>Rft:PolicyPath</c>); null means the newest run's checkpoint.</param>
/// <param name="K">The k of pass@k.</param>
/// <param name="Samples">Completions sampled per problem (n >= k); null means n = k.</param>
/// <param name="Temperature">Temperature of the sampled completions.</param>
/// <param name="TopP">Nucleus mass of the sampled completions.</param>
/// <param name="Seed">Seeds the sampled completions.</param>
/// <param name="Output">Where eval.json goes; null means the checkpoint's run directory, else the working directory.</param>
internal sealed record EvalOptions(string? Model, int K, int? Samples, double Temperature, double TopP, long Seed, string? Output);
