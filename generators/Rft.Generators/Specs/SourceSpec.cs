namespace Rft.Generators.Specs;

/// <summary>
/// A mixture source drawn by weight: a [Source] method <c>static IEnumerable&lt;TRecord&gt; Method(Random rng)</c>,
/// or a [JsonlSource] file when <paramref name="Jsonl"/> is set (then <paramref name="Method"/> is its name).
/// </summary>
internal sealed record SourceSpec(string Method, double Weight, JsonlSpec? Jsonl = null);
