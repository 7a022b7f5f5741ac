namespace Rft;

/// <summary>The policy model: a built-in preset trained from scratch, or a checkpoint path.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PolicyAttribute : Attribute
{
    /// <summary>A built-in model preset (see <c>Rft.Models.ModelPresets</c>): "tiny", "nano".</summary>
    public string Preset { get; set; } = "tiny";

    /// <summary>A checkpoint directory; when set it wins over <see cref="Preset"/>.</summary>
    public string? Path { get; set; }
}
