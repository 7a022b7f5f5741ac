namespace Rft.Generators.Specs;

/// <summary>[Policy]: a built-in preset trained from scratch, or a checkpoint path.</summary>
internal sealed record PolicySpec(string Preset, string? Path)
{
    /// <summary>The attribute's defaults, used when [Policy] is absent.</summary>
    public static PolicySpec Default { get; } = new("tiny", null);
}
