namespace Rft.Testing;

/// <summary>One file the Rft generator added to a compilation, by its hint name (e.g. "Shop.Shop.Trainer.g.cs").</summary>
public sealed record GeneratedFile(string HintName, string Text);
