namespace Rft.Generators.Options;

/// <summary>An attribute property that becomes an option: <c>[Grpo(GroupSize = 16)]</c> is <c>Rft:GroupSize</c>.</summary>
internal sealed record OptionEntry(string Attribute, string Property, string Option, OptionRule Rule);
