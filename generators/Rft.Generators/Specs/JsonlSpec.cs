namespace Rft.Generators.Specs;

/// <summary>A JSON Lines file bound to the record type.</summary>
/// <param name="Path">The default path (the option <c>Rft:&lt;Name&gt;Path</c> overrides it).</param>
/// <param name="OnError">The <c>Rft.MalformedRows</c> member: Stop or Skip.</param>
/// <param name="Shuffle">Visit rows in a new seeded order each epoch.</param>
/// <param name="WithReplacement">Draw rows independently (with replacement) instead of epoch by epoch.</param>
/// <param name="JsonContext">A JsonSerializerContext type, fully qualified, or null for reflection binding.</param>
internal sealed record JsonlSpec(string Path, string OnError, bool Shuffle, string? JsonContext, bool WithReplacement = false);
