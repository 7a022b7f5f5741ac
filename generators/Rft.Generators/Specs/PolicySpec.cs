namespace Rft.Generators.Specs;

/// <summary>[Policy]: a built-in preset trained from scratch, or a checkpoint path; [Lora] when declared.</summary>
internal sealed record PolicySpec(string Preset, string? Path, LoraSpec? Lora = null)
{
    /// <summary>The attribute's defaults, used when [Policy] is absent.</summary>
    public static PolicySpec Default { get; } = new("tiny", null);
}
