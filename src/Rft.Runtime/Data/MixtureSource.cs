namespace Rft.Data;

/// <summary>One weighted source of a mixture: <paramref name="Open"/> yields records from a seeded RNG.</summary>
public sealed record MixtureSource<T>(string Name, double Weight, Func<Random, IEnumerable<T>> Open);
