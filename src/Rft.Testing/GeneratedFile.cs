namespace Rft.Testing;

/// <summary>One file the Rft generator added to a compilation, by its hint name (e.g. "Shop.Shop.Trainer.g.cs").</summary>
public sealed record GeneratedFile(string HintName, string Text)
{
    private const string Suffix = ".g.cs";

    /// <summary>
    /// Which of a pipeline's files this is: "Options", "Trainer" or "Host". A name for the file's
    /// snapshot that stays the same when the pipeline or its namespace is renamed.
    /// </summary>
    public string Part => HintName.EndsWith(Suffix, StringComparison.Ordinal)
        ? HintName[(HintName.LastIndexOf('.', HintName.Length - Suffix.Length - 1) + 1)..^Suffix.Length]
        : HintName;

    /// <summary>The pipeline the file belongs to, by its full name ("Shop.Shop"); empty when the hint name has no part.</summary>
    public string Pipeline => HintName.Length > Part.Length + Suffix.Length
        ? HintName[..(HintName.Length - Part.Length - Suffix.Length - 1)]
        : string.Empty;
}
