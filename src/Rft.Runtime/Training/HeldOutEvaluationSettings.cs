namespace Rft.Training;

/// <summary>How the <c>eval</c> verb evaluates a policy on the held-out records.</summary>
/// <param name="K">The k of pass@k.</param>
/// <param name="Samples">Completions sampled per problem (n >= k); pass@k is estimated from them without bias.</param>
/// <param name="Temperature">Sampling temperature of the n completions (greedy decoding is measured separately).</param>
/// <param name="TopP">Nucleus mass of the n completions.</param>
/// <param name="Seed">Seeds the sampling generator, so an evaluation is repeatable.</param>
public sealed record HeldOutEvaluationSettings(int K, int Samples, double Temperature, double TopP, long Seed)
{
    /// <summary>Throws when a setting is out of range, naming it and what would be valid.</summary>
    public void Validate()
    {
        if (K < 1) throw new ArgumentOutOfRangeException(nameof(K), $"k = {K} must be at least 1.");
        if (Samples < K) throw new ArgumentOutOfRangeException(nameof(Samples), $"samples = {Samples} must be at least k = {K}.");
        if (!(Temperature > 0) || double.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), $"temperature = {Temperature} must be a positive number (pass@k needs sampling).");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentOutOfRangeException(nameof(TopP), $"top-p = {TopP} must be in (0, 1].");
    }
}
