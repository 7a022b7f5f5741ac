namespace Rft.Generators.Tests.Infrastructure;

/// <summary>One file the generator added, by hint name.</summary>
internal sealed record GeneratedFile(string HintName, string Text);
