namespace Rft.Generators.Specs;

/// <summary>A [Source] method: <c>static IEnumerable&lt;TRecord&gt; Method(Random rng)</c>, drawn by weight.</summary>
internal sealed record SourceSpec(string Method, double Weight);
